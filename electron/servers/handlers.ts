import { readFileSync } from 'node:fs';
import { GantryError } from '@shared/ipc/result';
import type { HostKeyCheck } from '@shared/servers/server-schemas';
import type { Router } from '../ipc/router';
import type { JobRegistry } from '../jobs/registry';
import { testConnection } from './connection-test';
import { probeServer } from './server-probe';
import type { ServersArea } from './servers-area';
import { parseSshConfig } from './ssh-config';
import { knownHostsInFiles } from './host-keys';
import { openSshChain } from './ssh-connect';

const TEST_TIMEOUT_MS = 60_000;

/** Registers the `servers:*` channels. */
export function registerServerHandlers(router: Router, area: ServersArea, jobs: JobRegistry): void {
  const { registry, connections } = area;
  const view = (id: string) => registry.view(registry.row(id), connections.status(id));
  // A changed record, pin or secret invalidates the live connection and those that hop through it.
  const reset = async (id: string) => {
    for (const dependant of [id, ...registry.dependantsOf(id)]) await connections.drop(dependant);
    area.announce(id);
  };

  router.handle('servers:list', () => ({ servers: registry.rows().map((row) => registry.view(row, connections.status(row.id))) }));

  router.handle('servers:save', async ({ id, server, pin }) => {
    const row = registry.save(server, id, pin);
    await reset(row.id);
    return { server: view(row.id) };
  });

  router.handle('servers:delete', async ({ id }) => {
    registry.row(id);
    await connections.drop(id);
    registry.delete(id);
    return { deleted: true };
  });

  router.handle('servers:test', async ({ id, server, trustFingerprint }) => {
    if (!id && !server) throw new GantryError('invalid_request', 'Test a saved server (id) or the server being edited (server).');
    const existing = id ? registry.row(id) : null;
    // A draft at another address is another machine: its key is confirmed afresh, as saving would.
    const moved = Boolean(server && existing && (server.host !== existing.host || server.port !== existing.port));
    const pinned = trustFingerprint ?? (moved ? null : existing?.hostKeyFingerprint) ?? null;
    const target = server ? registry.draftTarget(server, id ?? null, pinned) : registry.resolveTarget(id!);
    if (trustFingerprint) target.pinnedFingerprint = trustFingerprint;
    const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
    const result = await testConnection(target, area.tuning, signal);
    let hostKey: HostKeyCheck | null = null;
    if (result.hostKey) {
      const known = area.knownHosts(target.host, target.port);
      hostKey = {
        ...result.hostKey,
        status: pinned === null ? 'new' : pinned === result.hostKey.fingerprint ? 'match' : 'changed',
        pinnedFingerprint: moved ? null : (existing?.hostKeyFingerprint ?? null),
        knownHosts: known.map((entry) => ({ fingerprint: entry.fingerprint, algorithm: entry.algorithm, file: entry.file, line: entry.line })),
      };
    }
    return { steps: result.steps, hostKey };
  });

  router.handle('servers:pin-host-key', async ({ id, fingerprint, replace }) => {
    const row = registry.row(id);
    if (row.hostKeyFingerprint && row.hostKeyFingerprint !== fingerprint && !replace) {
      throw new GantryError('host_key_changed', `${row.name} already has ${row.hostKeyFingerprint} pinned. Replacing a pinned key is a deliberate action: use "Re-pin host key" after checking the new fingerprint with the server's administrator.`);
    }
    // Pin only what the server presents right now, so a stale or mistyped fingerprint is never trusted.
    const presented = await presentedHostKey(area, id);
    if (presented.fingerprint !== fingerprint) {
      throw new GantryError('host_key_mismatch', `${row.name} now presents ${presented.fingerprint}, not the confirmed ${fingerprint}. Nothing was pinned; test the connection again and compare.`);
    }
    registry.pinHostKey(id, presented.fingerprint, presented.algorithm);
    await reset(id);
    return { server: view(id) };
  });

  router.handle('servers:import-known-host', async ({ id, files, hostKeyAlias }) => {
    const row = registry.row(id);
    // Like ssh: HostKeyAlias replaces host and port in the lookup; the config's UserKnownHostsFile replaces the default files.
    const [lookupHost, lookupPort] = hostKeyAlias ? [hostKeyAlias, 22] : [row.host, row.port];
    const entries = files?.length ? knownHostsInFiles(files, lookupHost, lookupPort) : area.knownHosts(lookupHost, lookupPort);
    const fingerprints = [...new Set(entries.map((entry) => entry.fingerprint))];
    const name = lookupPort === 22 ? lookupHost : `[${lookupHost}]:${lookupPort}`;
    const where = files?.length ? files.join(', ') : 'No known_hosts file on this machine';
    if (fingerprints.length === 0) throw new GantryError('not_found', `${files?.length ? `${where} does not list` : `${where} lists`} ${name}. Test the connection and confirm the fingerprint instead.`);
    if (fingerprints.length > 1) throw new GantryError('conflict', `known_hosts lists ${fingerprints.length} different keys for ${name}; Gantry cannot tell which one to trust. Test the connection and confirm the fingerprint instead.`);
    if (row.hostKeyFingerprint && row.hostKeyFingerprint !== fingerprints[0]) {
      throw new GantryError('host_key_changed', `known_hosts lists ${fingerprints[0]} for ${name}, but ${row.hostKeyFingerprint} is pinned. Use "Re-pin host key" if the key changed on purpose.`);
    }
    const entry = entries[0]!;
    registry.pinHostKey(id, entry.fingerprint, entry.algorithm);
    await reset(id);
    return { server: view(id), file: entry.file, line: entry.line };
  });

  router.handle('servers:probe', ({ id }) => {
    const row = registry.row(id);
    const jobId = jobs.start('server-probe', `Probe ${row.name}`, async (job) => {
      const probe = await probeServer(connections.get(id), job.signal, (step) => job.step(step, 'running'));
      registry.saveProbe(id, probe);
      area.announce(id);
      return probe;
    });
    return { jobId };
  });

  router.handle('servers:read-ssh-config', ({ path }) => {
    const file = path ?? area.sshConfigFile;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new GantryError('not_found', code === 'ENOENT' ? `There is no SSH config at ${file}.` : `The SSH config ${file} cannot be read (${code}).`);
    }
    return { path: file, hosts: parseSshConfig(text) };
  });
}

async function presentedHostKey(area: ServersArea, id: string): Promise<{ fingerprint: string; algorithm: string }> {
  const target = area.registry.resolveTarget(id);
  // Connect with nothing pinned: the handshake stops at the host key and reports it.
  target.pinnedFingerprint = null;
  try {
    const chain = await openSshChain(target, area.tuning, AbortSignal.timeout(TEST_TIMEOUT_MS));
    chain.close();
    return chain.hostKey;
  } catch (error) {
    if (error instanceof GantryError && error.code === 'host_key_unknown') {
      const details = error.details as { fingerprint: string; algorithm: string; host: string; port: number };
      if (details.host === target.host && details.port === target.port) return details;
    }
    throw error;
  }
}
