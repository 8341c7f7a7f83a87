import { GantryError } from '@shared/ipc/result';
import { shellQuote, type RemoteHost } from '../servers/remote-host';
import { StallWatchdog, rejectWhenAborted } from '../transfer/stall-watchdog';
import { planStream, runStream, type StreamPlan } from '../transfer/stream-plan';

/** How long a transfer may move no data before it is given up. */
const STALL_MS = 30_000;
/** How long `docker load` may take after the last byte arrived. */
const LOAD_MS = 5 * 60_000;

/** How the image reached the target, and what is needed to undo it. */
export interface ImageOnTarget {
  method: 'present' | 'pulled' | 'streamed';
  /** The id the reference pointed to on the target before (null: the reference was unknown there). */
  previousId: string | null;
  /** Bytes sent over the wire (compressed) when streamed. */
  bytes: number;
  /** How it was streamed: the route, the codec, and how many layers the target already had. */
  stream?: Pick<StreamPlan, 'route' | 'codec' | 'layersSkipped' | 'layersTotal'>;
}

/** Progress of an image transfer in bytes. */
export type TransferProgress = (sentBytes: number, estimatedTotalBytes: number) => void;

/** What `ensureImageOnTarget` needs. */
export interface TransferOptions {
  source: RemoteHost;
  target: RemoteHost;
  imageRef: string;
  imageId: string;
  signal: AbortSignal;
  onProgress?: TransferProgress;
  /** Lines for the step's log: the route, the codec and the layers, each with its reason. */
  onLog?: (message: string) => void;
  /** `relay` never tries the direct route (benchmarks compare the two). */
  route?: 'auto' | 'relay';
}

/**
 * Makes sure the target has exactly the source's image: nothing when it already has the same
 * image id; a pull when the image came from a registry (it has a registry digest); otherwise a
 * stream into `docker load` on the target carrying only the layers it lacks, straight from the
 * source when the source reaches the target's sshd (else through this machine's memory, no
 * temporary file), compressed as measured (transfer/stream-plan.ts). `onLog` hears which path
 * was taken and why.
 */
export async function ensureImageOnTarget(options: TransferOptions): Promise<ImageOnTarget> {
  // A dead network often shows no error, only silence. Every server call here runs under a
  // watchdog: silence for STALL_MS (no answer, no transferred byte) stops the transfer with a
  // message that says so, instead of waiting for TCP to give up.
  const stall = new StallWatchdog(options.signal, STALL_MS, () =>
    new GantryError('transfer_stalled', `Copying ${options.imageRef} from ${options.source.label} to ${options.target.label} stalled: nothing moved for ${STALL_MS / 1000} s. Is the network between them up?`),
  );
  try {
    // Raced against the signal: a call stuck on a dead connection may never notice its abort.
    return await Promise.race([
      transferImage({ ...options, signal: stall.signal, onProgress: (sent, total) => (stall.alive(), options.onProgress?.(sent, total)) }, stall),
      rejectWhenAborted(stall.signal, () => new GantryError('cancelled', 'The image transfer was cancelled.')),
    ]);
  } catch (error) {
    if (stall.fired) throw stall.fired;
    throw error;
  } finally {
    stall.stop();
  }
}

async function transferImage(options: TransferOptions, stall: StallWatchdog): Promise<ImageOnTarget> {
  const { source, target, imageRef, imageId, signal } = options;
  const previousId = await imageIdOn(target, imageRef, signal);
  if ((await imageIdOn(target, imageId, signal)) === imageId) {
    if (previousId !== imageId) await mustSucceed(target, `docker tag ${shellQuote(imageId)} ${shellQuote(imageRef)}`, signal, 'tag the image');
    return { method: 'present', previousId, bytes: 0 };
  }

  const sourceInfo = await source.exec(`docker image inspect --format '{{json .RepoDigests}} {{.Size}}' ${shellQuote(imageId)}`, { signal });
  if (sourceInfo.code !== 0) {
    throw new GantryError('image_missing', `The image ${imageRef} (${imageId.slice(0, 19)}) is not on ${source.label} any more. Was it removed since the plan was made?`);
  }
  const [digestsJson = '[]'] = sourceInfo.stdout.trim().split(' ');
  const fromRegistry = (JSON.parse(digestsJson) as string[] | null)?.length ?? 0;
  if (fromRegistry > 0) {
    const pulled = await target.exec(`docker pull -q ${shellQuote(imageRef)}`, { signal });
    if (pulled.code === 0 && (await imageIdOn(target, imageRef, signal)) === imageId) return { method: 'pulled', previousId, bytes: 0 };
    options.onLog?.(`${target.label} could not pull ${imageRef} from its registry: streaming it instead`);
  }

  const plan = await planStream({ source, target, imageRef, imageId, signal, route: options.route ?? 'auto', onLog: options.onLog ?? (() => {}), alive: () => stall.alive() });
  const bytes = await runStream(plan, {
    source,
    target,
    signal,
    onLog: options.onLog ?? (() => {}),
    onBytes: (sent) => (stall.alive(), options.onProgress?.(sent, plan.estimatedWireBytes)),
    // `docker load` digests what it received: allow it minutes, but never forever.
    onSent: () => stall.alive(LOAD_MS),
  });
  options.onProgress?.(bytes, plan.estimatedWireBytes);
  const loadedId = await imageIdOn(target, imageRef, signal);
  if (loadedId !== imageId) {
    throw new GantryError('image_mismatch', `After the transfer ${target.label} has ${imageRef} as ${loadedId ?? 'nothing'}, not ${imageId}. The source image may have changed during the transfer.`);
  }
  return { method: 'streamed', previousId, bytes, stream: { route: plan.route, codec: plan.codec, layersSkipped: plan.layersSkipped, layersTotal: plan.layersTotal } };
}

/** Puts the target's image reference back as it was before `ensureImageOnTarget`. */
export async function restoreImageOnTarget(target: RemoteHost, imageRef: string, record: ImageOnTarget, signal?: AbortSignal): Promise<void> {
  if (record.previousId) {
    await target.exec(`docker tag ${shellQuote(record.previousId)} ${shellQuote(imageRef)}`, signal ? { signal } : {});
  } else if (record.method !== 'present') {
    // Removes only the tag (and the image if nothing else uses it); a running container keeps it.
    await target.exec(`docker image rm ${shellQuote(imageRef)} >/dev/null 2>&1 || true`, signal ? { signal } : {});
  }
}

async function imageIdOn(host: RemoteHost, reference: string, signal: AbortSignal): Promise<string | null> {
  const result = await host.exec(`docker image inspect --format '{{.Id}}' ${shellQuote(reference)} 2>/dev/null`, { signal });
  return result.code === 0 ? result.stdout.trim() || null : null;
}

async function mustSucceed(host: RemoteHost, command: string, signal: AbortSignal, what: string): Promise<void> {
  const result = await host.exec(command, { signal });
  if (result.code !== 0) throw new GantryError('docker_error', `Could not ${what} on ${host.label}: ${result.stderr.trim()}`);
}
