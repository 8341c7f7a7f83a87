/**
 * Killing the engine mid-migration: a real engine process (browser mode, the built app) is
 * killed with SIGKILL while it replaces a container on uat; the next engine started on the same
 * data folder finds the migration in its journal and puts uat back exactly as it was.
 * Needs the build (`npx electron-vite build`) and the lab; run inside a real keychain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { labProject, labSh, startEngineProcess, type EngineProcess } from './testing/engine-process';

const lab = inject('lab');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-crash-int-'));
const startEngine = () => startEngineProcess(dataDir);

let engine: EngineProcess;
const cleanup = 'docker rm -fv $(docker ps -aq --filter name=crash-web) >/dev/null 2>&1; rm -rf /tmp/gantry-locks; true';

const sh = (server: 'dev' | 'uat', command: string) => labSh(lab, server, command);

beforeAll(async () => {
  await sh('dev', cleanup);
  await sh('uat', cleanup);
  await sh('dev', 'docker run -d --name dev-crash-web --init -e APP_MODE=dev gantry-lab/webapp:2 >/dev/null');
  await sh('uat', 'docker run -d --name uat-crash-web --init -e APP_MODE=uat gantry-lab/webapp:1 >/dev/null');
  engine = await startEngine();
});

afterAll(async () => {
  engine?.kill();
  await sh('dev', cleanup).catch(() => undefined);
  await sh('uat', cleanup).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

it('undoes a migration whose engine was killed mid-way, on the next start, and says so in the journal', async () => {
  const { projectId, dev, uat } = await labProject(engine, lab, 'crash');
  const chain = [{ id: dev }, { id: uat }];
  const { resource } = await engine.call('resources:adopt', { environmentId: chain[0]!.id, container: 'dev-crash-web', resource: { name: 'web', kind: 'application' } });
  await engine.call('resources:adopt', { environmentId: chain[1]!.id, container: 'uat-crash-web', resource: { resourceId: resource.id } });

  const before = await sh('uat', "docker ps -a --filter name=crash-web --format '{{.Names}} {{.ID}} {{.Image}}'; docker inspect --format '{{json .Config.Env}}' uat-crash-web");
  const planned = await engine.call('migrations:plan', { projectId, sourceEnvId: chain[0]!.id, targetEnvId: chain[1]!.id, resourceIds: [resource.id] });
  expect(planned.plan.resources[0]?.mode).toBe('promote');
  const { migrationId } = await engine.call('migrations:start', { planId: planned.planId, options: { waitForReady: true, healthTimeoutSec: 120 } });

  // Kill the engine the moment the old container has been set aside and the new one created.
  for (let i = 0; i < 600; i++) {
    const detail = await engine.call('migrations:get', { migrationId });
    if (detail.steps.some((step) => step.stepId.startsWith('replace-container') && step.status === 'done')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  engine.kill();
  const halfway = await sh('uat', "docker ps -a --filter name=crash-web --format '{{.Names}}' | sort");
  expect(halfway).toMatch(/gantry-old/);

  engine = await startEngine();
  let detail = await engine.call('migrations:get', { migrationId });
  for (let i = 0; i < 200 && detail.migration.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    detail = await engine.call('migrations:get', { migrationId });
  }
  expect(detail.migration.status).toBe('interrupted');
  expect(detail.migration.message).toMatch(/engine stopped mid-way.*undid.*checked that uat .* is as it was before: uat-crash-web has spec/);
  expect(detail.steps.filter((step) => step.status === 'undone').map((step) => step.stepId)).toContain(`replace-container:${resource.id}`);
  const after = await sh('uat', "docker ps -a --filter name=crash-web --format '{{.Names}} {{.ID}} {{.Image}}'; docker inspect --format '{{json .Config.Env}}' uat-crash-web");
  expect(after).toBe(before);
});
