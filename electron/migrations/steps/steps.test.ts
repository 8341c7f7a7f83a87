/**
 * Every step kind against a FAKE RemoteHost (a scripted shell, see testing/fake-remote-host.ts):
 * the commands it sends, its undo, its behaviour on cancel and on a failing command. The lab tests
 * prove the same modules on real servers.
 */
import { describe, expect, it } from 'vitest';
import { migrationStep, type MigrationStep, type MigrationStepKind, type StepOf } from '@shared/migration/steps';
import type { PlannedResource } from '@shared/migration/plan';
import { FakeRemoteHost } from '../testing/fake-remote-host';
import { specWith } from '@shared/migration/test-fixtures';
import type { RecordResult } from '../records';
import { maskStep, registeredKinds, sagaStepFor, stepRegistry } from './registry';
import type { ExecutionContext } from './step-context';
import type { StepJob } from './step-module';

const MIGRATION = '11111111-2222-3333-4444-555555555555';
const LABEL = 'gantry.migration';

function resource(overrides: Partial<PlannedResource> = {}): PlannedResource {
  return {
    resourceId: 'web',
    name: 'web',
    kind: 'application',
    mode: 'promote',
    unchanged: false,
    addedAsDependency: false,
    source: { uuid: 'dev-web', containerName: 'dev-web', hostnames: [] },
    target: { uuid: 'uat-web', containerName: 'uat-web', hostnames: [] },
    desiredSpec: specWith({ image: { ref: 'webapp:2', id: null, digest: null }, networks: [{ name: 'shop-uat', aliases: ['web'] }] }),
    volumesToCreate: [],
    scheduledTasks: [],
    linksToCreate: [],
    tags: [],
    ...overrides,
  };
}

function contextFor(target: FakeRemoteHost, records: { recorded?: string[]; undone?: string[] } = {}): ExecutionContext {
  return {
    migrationId: MIGRATION,
    source: new FakeRemoteHost('fake-dev'),
    target,
    resources: new Map([['web', resource()]]),
    labelsFor: () => ({}),
    waitForReady: true,
    healthTimeoutMs: 2000,
    httpCheckPath: null,
    warnings: [],
    local: {
      recordResource: async (resourceId, containerName): Promise<RecordResult> => {
        records.recorded?.push(`${resourceId}:${containerName}`);
        return { previous: null, historyId: 7, hash: 'h-new' };
      },
      currentRecord: () => null,
      undoRecordResource: (resourceId) => void records.undone?.push(resourceId),
      forgetInstance: () => null,
      restoreInstance: () => undefined,
    },
  };
}

function jobFor(checkpoints: Record<string, unknown>[] = [], controller = new AbortController()): StepJob<Record<string, unknown>> {
  return {
    signal: controller.signal,
    log: () => undefined,
    progress: () => undefined,
    throwIfCancelled: () => {
      if (controller.signal.aborted) throw new Error('cancelled');
    },
    checkpoint: (partial) => void checkpoints.push(partial),
  };
}

function step<K extends MigrationStepKind>(kind: K, params: StepOf<K>['params'], resourceId: string | undefined = 'web'): StepOf<K> {
  return migrationStep.parse({ id: `${kind}:web`, kind, title: `${kind} web`, undo: null, params, ...(resourceId ? { resourceId } : {}) }) as StepOf<K>;
}

async function run(target: FakeRemoteHost, planned: MigrationStep, context = contextFor(target), job = jobFor()): Promise<Record<string, unknown>> {
  return (await sagaStepFor(planned).run(context, job)) ?? {};
}

async function undo(target: FakeRemoteHost, planned: MigrationStep, result: Record<string, unknown> | null, context = contextFor(target)): Promise<void> {
  await sagaStepFor(planned).undo?.(context, { intent: {}, result });
}

describe('the step registry', () => {
  it('has a module for every kind the step schema declares, under its own kind', () => {
    const declared = migrationStep.options.map((option) => option.shape.kind.value).sort();
    expect([...registeredKinds].sort()).toEqual(declared);
    for (const kind of registeredKinds) expect(stepRegistry[kind].kind).toBe(kind);
  });

  it('masks what a kind carries (a scheduled task’s connection string), and leaves other kinds as they are', () => {
    const install = step('install-schedules', { entries: [{ taskName: 'dump', schedule: '@daily', command: 'pg_dump postgres://app:s3cret@uat-db/app', line: '@daily docker exec uat-db pg_dump postgres://app:s3cret@uat-db/app # gantry:x', marker: '# gantry:x' }] });
    const masked = JSON.stringify(maskStep(install));
    expect(masked).not.toContain('s3cret');
    expect(masked).toContain('uat-db');
    expect(masked).toContain('# gantry:x');
    const volumes = step('create-volumes', { volumes: ['uat-web-data'] });
    expect(maskStep(volumes)).toEqual(volumes);
  });
});

describe('transfer-image', () => {
  const transfer = step('transfer-image', { imageRef: 'webapp:2', imageId: 'sha256:new' });

  it('journals the target’s tag before anything moves, and tags only when the target has the image under another name', async () => {
    const target = new FakeRemoteHost().on({ pattern: /image inspect --format '\{\{\.Id\}\}' 'webapp:2'/, result: { stdout: 'sha256:old\n' } }, { pattern: /image inspect --format '\{\{\.Id\}\}' 'sha256:new'/, result: { stdout: 'sha256:new\n' } });
    const checkpoints: Record<string, unknown>[] = [];
    const result = await run(target, transfer, contextFor(target), jobFor(checkpoints));
    expect(checkpoints[0]).toEqual({ previousId: 'sha256:old' });
    expect(result).toMatchObject({ method: 'present', previousId: 'sha256:old' });
    expect(target.commands).toContain("docker tag 'sha256:new' 'webapp:2'");
    await undo(target, transfer, result);
    expect(target.commands.at(-1)).toBe("docker tag 'sha256:old' 'webapp:2'");
  });

  it('after a crash mid-transfer (only the checkpoint journaled) removes a tag the target did not have', async () => {
    const target = new FakeRemoteHost();
    await undo(target, transfer, { previousId: null });
    expect(target.commands.at(-1)).toMatch(/^docker image rm 'webapp:2'/);
  });

  it('refuses a plan without an image id, naming the image', async () => {
    await expect(run(new FakeRemoteHost(), step('transfer-image', { imageRef: 'webapp:2', imageId: null }))).rejects.toThrow(/no image id for webapp:2/);
  });
});

describe('create-volumes', () => {
  const volumes = step('create-volumes', { volumes: ['uat-web-data', 'uat-web-logs'] });

  it('creates each volume with the run’s label, checkpointing each', async () => {
    const target = new FakeRemoteHost();
    const checkpoints: Record<string, unknown>[] = [];
    await run(target, volumes, contextFor(target), jobFor(checkpoints));
    expect(target.commands).toEqual([`docker volume create --label '${LABEL}=${MIGRATION}' 'uat-web-data' >/dev/null`, `docker volume create --label '${LABEL}=${MIGRATION}' 'uat-web-logs' >/dev/null`]);
    expect(checkpoints.at(-1)).toEqual({ created: ['uat-web-data', 'uat-web-logs'] });
  });

  it('undo removes only volumes this run labelled (a volume of someone else stays)', async () => {
    const target = new FakeRemoteHost().on({ pattern: /volume inspect .*'uat-web-data'/, result: { stdout: `${MIGRATION}\n` } }, { pattern: /volume inspect .*'uat-web-logs'/, result: { stdout: 'another-run\n' } });
    await undo(target, volumes, null);
    expect(target.commands.filter((command) => command.startsWith('docker volume rm'))).toEqual(["docker volume rm 'uat-web-data' >/dev/null"]);
  });

  it('stops at the next volume when cancelled, and a failing create names the volume and the server', async () => {
    const controller = new AbortController();
    const target = new FakeRemoteHost().on({ pattern: /volume create/, answer: () => (controller.abort(), {}) });
    await expect(run(target, volumes, contextFor(target), jobFor([], controller))).rejects.toThrow('cancelled');
    expect(target.commands).toHaveLength(1);
    const full = new FakeRemoteHost().on({ pattern: /volume create/, result: { code: 1, stderr: 'no space left on device' } });
    await expect(run(full, volumes)).rejects.toThrow(/create volume uat-web-data on fake-uat: no space left on device/);
  });
});

describe('create-container', () => {
  const create = step('create-container', { containerName: 'uat-web' });

  it('creates the missing network with the run’s label, then the container, and starts it', async () => {
    const target = new FakeRemoteHost().on({ pattern: /network inspect 'shop-uat'/, result: { code: 1 } });
    const checkpoints: Record<string, unknown>[] = [];
    const result = await run(target, create, contextFor(target), jobFor(checkpoints));
    expect(target.commands).toContain(`docker network create --label '${LABEL}=${MIGRATION}' 'shop-uat' >/dev/null`);
    expect(target.dockerCalls).toEqual(['create uat-web', 'start id-uat-web']);
    expect(checkpoints).toContainEqual({ createdNetworks: ['shop-uat'] });
    expect(result).toEqual({ containerId: 'id-uat-web' });
  });

  it('undo removes the container (with the anonymous volumes it made) and network only when they carry this run’s label', async () => {
    // Docker answers the label filter: no network of that name carries this run's label.
    const target = new FakeRemoteHost().on({ pattern: /container inspect .*'uat-web'/, result: { stdout: `${MIGRATION}\n` } }, { pattern: /network ls/, result: { stdout: 'net-other other-uat\n' } });
    await undo(target, create, { createdNetworks: ['shop-uat'] });
    expect(target.commands).toContain("docker rm -fv 'uat-web' >/dev/null");
    expect(target.commands).toContain(`docker network ls --no-trunc --filter 'label=${LABEL}=${MIGRATION}' --format '{{.ID}} {{.Name}}'`);
    expect(target.commands.some((command) => command.startsWith('docker network rm'))).toBe(false);
  });

  it('undo removes its network by id, also when Docker holds the name twice (a name alone is ambiguous then)', async () => {
    const target = new FakeRemoteHost().on({ pattern: /network ls/, result: { stdout: 'net-a shop-uat\nnet-b shop-uat\nnet-c shop-uat-2\n' } }, { pattern: /network inspect --format '\{\{len/, result: { stdout: '0\n' } });
    await undo(target, create, { createdNetworks: ['shop-uat'] });
    expect(target.commands.filter((command) => command.startsWith('docker network rm'))).toEqual(["docker network rm 'net-a' >/dev/null", "docker network rm 'net-b' >/dev/null"]);
  });

  it('two resources of a batch that need the same missing network create it once between them', async () => {
    let networks = 0;
    const target = new FakeRemoteHost().on(
      { pattern: /network inspect 'shop-uat'/, answer: () => ({ code: networks > 0 ? 0 : 1 }) },
      // Like Docker: a create at the same moment as another one succeeds too, and leaves a second network of the name.
      { pattern: /network create/, answer: () => ((networks += 1), {}) },
    );
    const [first, second] = [[], []] as Record<string, unknown>[][];
    await Promise.all([run(target, create, contextFor(target), jobFor(first!)), run(target, step('create-container', { containerName: 'uat-api' }), contextFor(target), jobFor(second!))]);
    expect(networks).toBe(1);
    expect([...first!, ...second!].filter((checkpoint) => 'createdNetworks' in checkpoint)).toEqual([{ createdNetworks: ['shop-uat'] }]);
  });

  it('a refusal by Docker names the container and the server', async () => {
    const target = new FakeRemoteHost();
    target.createError = 'port is already allocated';
    await expect(run(target, create)).rejects.toThrow(/Docker on fake-uat refused to create uat-web: port is already allocated/);
  });

  it('an undo whose server does not answer throws (so it is retried), instead of skipping', async () => {
    const target = new FakeRemoteHost().on({ pattern: /inspect/, result: { code: 1, stderr: 'Cannot connect to the Docker daemon' } });
    await expect(undo(target, create, null)).rejects.toThrow(/did not answer/);
  });
});

describe('replace-container', () => {
  const replace = step('replace-container', { containerName: 'uat-web', previousSpecHash: 'h-old' });

  it('snapshots, journals "stopping" before touching the old container, sets it aside and creates the new one', async () => {
    const target = new FakeRemoteHost().on({ pattern: /State\.Running/, result: { stdout: 'true\n' } }, { pattern: /snapshots/, result: { stdout: 'sha256:old\n/root/.gantry/snapshots/x.json\n' } });
    const checkpoints: Record<string, unknown>[] = [];
    const result = await run(target, replace, contextFor(target), jobFor(checkpoints));
    const stopAt = target.commands.findIndex((command) => command.startsWith("docker stop 'uat-web'"));
    expect(stopAt).toBeGreaterThan(target.commands.findIndex((command) => command.includes('snapshots')));
    expect(checkpoints[0]).toMatchObject({ wasRunning: true, stopping: true, keptName: 'uat-web-gantry-old-11111111' });
    expect(target.commands[stopAt]).toBe("docker stop 'uat-web' >/dev/null && docker rename 'uat-web' 'uat-web-gantry-old-11111111'");
    expect(result).toMatchObject({ containerId: 'id-uat-web', snapshot: { path: '/root/.gantry/snapshots/x.json', imageId: 'sha256:old' } });
  });

  it('undo after a crash between stop and create puts the old container back and starts it', async () => {
    const target = new FakeRemoteHost().on(
      { pattern: /container inspect .*'uat-web-gantry-old-11111111'/, result: { stdout: 'earlier-run\n' } },
      { pattern: /container inspect .*'uat-web'$/, result: { code: 1, stderr: 'Error: No such container: uat-web' } },
      { pattern: /State\.Running/, result: { stdout: 'false\n' } },
    );
    await undo(target, replace, { wasRunning: true, stopping: true });
    expect(target.commands).toContain("docker rename 'uat-web-gantry-old-11111111' 'uat-web'");
    expect(target.commands.at(-1)).toBe("docker start 'uat-web' >/dev/null");
  });

  it('undo before the old container was touched changes nothing on it', async () => {
    const target = new FakeRemoteHost().on({ pattern: /inspect/, result: { code: 1, stderr: 'No such object' } });
    await undo(target, replace, null);
    expect(target.commands.some((command) => /docker (rename|start|stop)/.test(command))).toBe(false);
  });

  it('a failing snapshot stops the step before the old container is touched', async () => {
    const target = new FakeRemoteHost().on({ pattern: /State\.Running/, result: { stdout: 'true\n' } }, { pattern: /snapshots/, result: { code: 1, stderr: 'No space left on device' } });
    await expect(run(target, replace)).rejects.toThrow(/Could not snapshot uat-web on fake-uat: No space left on device/);
    expect(target.commands.some((command) => command.startsWith('docker stop'))).toBe(false);
  });
});

describe('restore-container', () => {
  const snapshot = { path: '/root/.gantry/snapshots/m1-web.json', containerName: 'uat-web', imageId: 'sha256:old' };
  const restore = step('restore-container', { containerName: 'uat-web', snapshot });
  const inspect = JSON.stringify([{ Id: 'c1', Name: '/uat-web', Image: 'sha256:old', Config: { Image: 'webapp:1', Env: ['A=1'], Labels: {}, Cmd: null, Entrypoint: null, WorkingDir: '', User: '' }, HostConfig: { PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, Memory: 0, NanoCpus: 0 }, Mounts: [], NetworkSettings: { Networks: {} }, State: { Running: true } }]);

  it('reads the spec from the snapshot on the server, re-tags its image and replaces the container from it', async () => {
    const target = new FakeRemoteHost().on(
      { pattern: /^cat '\/root\/.gantry\/snapshots\/m1-web.json'/, result: { stdout: inspect } },
      { pattern: /image inspect --format '\{\{\.Id\}\}' 'webapp:1'/, result: { stdout: 'sha256:new\n' } },
      { pattern: /State\.Running/, result: { stdout: 'true\n' } },
      { pattern: /snapshots.*docker inspect/, result: { stdout: 'sha256:new\n/root/.gantry/snapshots/r1-web.json\n' } },
    );
    const context = contextFor(target);
    const result = await run(target, restore, context);
    expect(target.commands).toContain("docker tag 'sha256:old' 'webapp:1'");
    expect(context.resources.get('web')?.desiredSpec.image.ref).toBe('webapp:1');
    expect(target.dockerCalls).toEqual(['create uat-web', 'start id-uat-web']);
    expect(result).toMatchObject({ previousTagId: 'sha256:new' });
  });

  it('a snapshot gone from the server is an error that says it cannot be restored automatically', async () => {
    const target = new FakeRemoteHost().on({ pattern: /^cat /, result: { code: 1, stderr: 'No such file' } });
    await expect(run(target, restore)).rejects.toThrow(/snapshot of uat-web is gone from fake-uat/);
  });
});

describe('retire-container', () => {
  const retire = step('retire-container', { containerName: 'uat-web', environmentId: 'uat' });

  it('journals that it stops, then sets the clone aside and forgets its record', async () => {
    const target = new FakeRemoteHost().on({ pattern: /State\.Running/, result: { stdout: 'true\n' } });
    const checkpoints: Record<string, unknown>[] = [];
    await run(target, retire, contextFor(target), jobFor(checkpoints));
    expect(checkpoints[0]).toEqual({ stopping: true, wasRunning: true });
    expect(target.commands.at(-1)).toBe("docker stop 'uat-web' >/dev/null && docker rename 'uat-web' 'uat-web-gantry-old-11111111'");
  });

  it('undo puts the clone back and starts it', async () => {
    const target = new FakeRemoteHost().on({ pattern: /inspect --format '\{\{index \.Config\.Labels/, result: { stdout: '\n' } }, { pattern: /State\.Running/, result: { stdout: 'false\n' } });
    await undo(target, retire, { stopping: true, wasRunning: true });
    expect(target.commands).toContain("docker rename 'uat-web-gantry-old-11111111' 'uat-web'");
    expect(target.commands.at(-1)).toBe("docker start 'uat-web' >/dev/null");
  });
});

describe('wait-healthy', () => {
  const wait = step('wait-healthy', { containerName: 'uat-web', timeoutMs: 60_000 });

  it('is ready when Docker reports healthy', async () => {
    const target = new FakeRemoteHost().on({ pattern: /json \.State/, result: { stdout: JSON.stringify({ Status: 'running', Running: true, Restarting: false, ExitCode: 0, Health: { Status: 'healthy' } }) } });
    expect(await run(target, wait)).toEqual({ ready: true });
  });

  it('fails at once with the exit code and last log lines when the container stops', async () => {
    const target = new FakeRemoteHost().on({ pattern: /json \.State/, result: { stdout: JSON.stringify({ Status: 'exited', Running: false, Restarting: false, ExitCode: 3 }) } }, { pattern: /docker logs/, result: { stdout: 'boom\n' } });
    await expect(run(target, wait)).rejects.toThrow(/stopped \(exited, exit code 3\)[\s\S]*boom/);
  });

  it('has no undo (it changes nothing)', () => {
    expect(sagaStepFor(wait).undo).toBeUndefined();
  });
});

describe('install-schedules and remove-schedules', () => {
  const entry = { taskName: 'dump', schedule: '@daily', command: 'pg_dump app', line: '@daily docker exec uat-db pg_dump app # gantry:web:dump', marker: '# gantry:web:dump' };
  const install = step('install-schedules', { entries: [entry] });
  const remove = step('remove-schedules', { markers: [entry.marker] }, undefined);

  it('install replaces its own lines (by marker) and keeps the rest; undo removes exactly them', async () => {
    const target = new FakeRemoteHost();
    await run(target, install);
    expect(target.commands[0]).toContain("grep -vF -e '\\''# gantry:web:dump'\\''");
    expect(target.commands[0]).toContain('crontab -');
    await undo(target, install, null);
    expect(target.commands[1]).toContain("grep -vF -e '\\''# gantry:web:dump'\\''");
  });

  it('install without cron installed fails with what to install', async () => {
    const target = new FakeRemoteHost().on({ pattern: /crontab/, result: { code: 3, stderr: 'crontab is not installed on this server (install cron)' } });
    await expect(run(target, install)).rejects.toThrow(/install cron/);
  });

  it('remove keeps the removed lines on the server (once, even when run again) and undo puts them back', async () => {
    const target = new FakeRemoteHost().on({ pattern: /wc -l/, result: { stdout: '1\n' } });
    expect(await run(target, remove)).toEqual({ removed: 1 });
    expect(target.commands[0]).toContain(`[ -s $HOME/.gantry/rollbacks/${MIGRATION}.cron ] || grep -F`);
    await undo(target, remove, { removed: 1 });
    expect(target.commands[1]).toContain(`cat $HOME/.gantry/rollbacks/${MIGRATION}.cron`);
  });
});

describe('link-resources', () => {
  const link = step('link-resources', { links: [{ toResourceId: 'db', toContainerName: 'uat-db' }] });

  it('passes when both share a user-defined network, and names the fix when they do not', async () => {
    const shared = new FakeRemoteHost().on({ pattern: /docker inspect/, result: { stdout: '/uat-web shop-uat bridge \n/uat-db shop-uat \n' } });
    expect(await run(shared, link)).toEqual({ checked: 1 });
    const apart = new FakeRemoteHost().on({ pattern: /docker inspect/, result: { stdout: '/uat-web bridge \n/uat-db other \n' } });
    await expect(run(apart, link)).rejects.toThrow(/share no user-defined Docker network.*docker network connect/);
    const missing = new FakeRemoteHost().on({ pattern: /docker inspect/, result: { stdout: '/uat-web shop-uat \n' } });
    await expect(run(missing, link)).rejects.toThrow(/uat-db, which does not exist on fake-uat/);
  });
});

describe('record-resource', () => {
  it('records through the engine and undo restores the previous record; the server is not touched', async () => {
    const target = new FakeRemoteHost();
    const records = { recorded: [] as string[], undone: [] as string[] };
    const record = step('record-resource', { containerName: 'uat-web', tags: [] });
    const result = await run(target, record, contextFor(target, records));
    expect(result).toEqual({ previous: null, historyId: 7, hash: 'h-new' });
    const checkpoints: Record<string, unknown>[] = [];
    await run(target, record, contextFor(target, records), jobFor(checkpoints));
    expect(checkpoints[0]).toMatchObject({ previous: null, recordedAfter: expect.any(Number) });
    await undo(target, record, result, contextFor(target, records));
    expect(records).toEqual({ recorded: ['web:uat-web', 'web:uat-web'], undone: ['web'] });
    expect(target.commands).toEqual([]);
  });

  it('an unreadable journal record is an error for the operator, never a guess', async () => {
    const record = step('record-resource', { containerName: 'uat-web', tags: [] });
    await expect(undo(new FakeRemoteHost(), record, { historyId: 'not a number' })).rejects.toThrow(/cannot be read/);
  });
});
