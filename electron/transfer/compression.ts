/**
 * Compression that fits the link, chosen by measurement: how fast each codec both ends have
 * compresses a sample of the very bytes to be sent (and how small it gets them), against how
 * fast the link moves incompressible bytes. The stream runs at the speed of its slowest stage,
 * so a codec's speed is min(compress, link ÷ ratio), raw's is the link's; the fastest wins.
 */
import { shellQuote, type RemoteHost } from '../servers/remote-host';

/** A way to send the stream; `none` sends it as it is. */
export type Codec = 'zstd' | 'pigz' | 'gzip' | 'none';

/** The commands each codec uses on the sending and the receiving side. */
export const CODEC_COMMANDS: Record<Codec, { compress: string; decompress: string }> = {
  zstd: { compress: 'zstd -1 -T0 -q -c', decompress: 'zstd -d -q -c' },
  pigz: { compress: 'pigz -1 -c', decompress: 'pigz -d -c' },
  gzip: { compress: 'gzip -1 -c', decompress: 'gzip -d -c' },
  none: { compress: 'cat', decompress: 'cat' },
};

/** What was measured for one codec. */
export interface CodecMeasurement {
  codec: Codec;
  /** Raw bytes per second the codec compresses on the source. */
  compressBps: number;
  /** Compressed size ÷ raw size of the sample. */
  ratio: number;
}

/** The choice and the figures behind it, for the step's log. */
export interface CompressionChoice {
  codec: Codec;
  reason: string;
}

/** Below this many bytes to send, measuring would cost more than any codec could save. */
export const MEASURE_FROM_BYTES = 48 * 1024 * 1024;
/** Bytes of the stream sampled for each codec. */
const SAMPLE_BYTES = 8 * 1024 * 1024;

/** The codecs (other than none) whose programs exist on both servers, best first. */
export async function commonCodecs(source: RemoteHost, target: RemoteHost, signal: AbortSignal): Promise<Codec[]> {
  const probe = 'for c in zstd pigz gzip; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done';
  const [a, b] = await Promise.all([source.exec(probe, { signal }), target.exec(probe, { signal })]);
  const there = new Set(b.stdout.split('\n').map((line) => line.trim()));
  return a.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((codec): codec is Codec => (codec === 'zstd' || codec === 'pigz' || codec === 'gzip') && there.has(codec));
}

/**
 * Times each codec on a sample of the producer's output, on the source (the sample sits in a
 * private temporary file there for the moment of the measurement only).
 */
export async function measureCodecs(source: RemoteHost, producer: string, codecs: Codec[], signal: AbortSignal): Promise<CodecMeasurement[]> {
  if (codecs.length === 0) return [];
  const timings = codecs
    .map((codec) => `t0=$EPOCHREALTIME; n=$(${CODEC_COMMANDS[codec].compress} <"$f" | wc -c); echo ${codec} $t0 $EPOCHREALTIME $n`)
    .join('; ');
  const script = `f=$(mktemp) && trap 'rm -f "$f"' EXIT && { ${producer} </dev/null 2>/dev/null | head -c ${SAMPLE_BYTES} >"$f"; } ; echo raw $(wc -c <"$f"); ${timings}`;
  const result = await source.exec(`LC_ALL=C bash -c ${shellQuote(script)}`, { signal });
  return parseCodecTimings(result.stdout);
}

/** Parses `measureCodecs`' output (`raw <bytes>` then `<codec> <t0> <t1> <compressed bytes>` lines). */
export function parseCodecTimings(output: string): CodecMeasurement[] {
  const lines = output.trim().split('\n').map((line) => line.trim().split(/\s+/));
  const raw = Number(lines.find((fields) => fields[0] === 'raw')?.[1] ?? 0);
  if (!raw) return [];
  return lines
    .filter((fields) => fields.length === 4 && fields[0] !== 'raw')
    .map(([codec, t0, t1, bytes]) => ({ codec: codec as Codec, compressBps: raw / Math.max(Number(t1) - Number(t0), 1e-4), ratio: Number(bytes) / raw }));
}

/** Picks the codec whose stream runs fastest over a link of `linkBps` (wire bytes per second). */
export function chooseCodec(linkBps: number, measured: CodecMeasurement[]): CompressionChoice {
  const mbps = (bps: number) => `${(bps / 1e6).toFixed(0)} MB/s`;
  let best: { codec: Codec; bps: number } = { codec: 'none', bps: linkBps };
  const figures = [`link ${mbps(linkBps)}`];
  for (const each of measured) {
    const bps = Math.min(each.compressBps, linkBps / Math.max(each.ratio, 0.01));
    figures.push(`${each.codec} ${mbps(each.compressBps)} to ${(each.ratio * 100).toFixed(0)}% → ${mbps(bps)}`);
    if (bps > best.bps * 1.05) best = { codec: each.codec, bps };
  }
  return { codec: best.codec, reason: `measured ${figures.join(', ')}: ${best.codec === 'none' ? 'sending uncompressed' : best.codec} is fastest` };
}
