/**
 * Test helper (never imported by the app): every trace a server-to-server transfer could leave —
 * one-time key lines in the target's authorized_keys, the source's temporary folder, an ssh-agent
 * still holding a key on the source — read on the servers themselves.
 */
import type { RemoteHost } from '../../servers/remote-host';

async function out(host: RemoteHost, command: string): Promise<string> {
  const result = await host.exec(command, {});
  if (result.code !== 0) throw new Error(`${command}: ${result.stderr}`);
  return result.stdout.trim();
}

/** What is left of any transfer now (empty when nothing). */
export async function transferLeftovers(source: RemoteHost, target: RemoteHost): Promise<string[]> {
  const lines = await out(target, 'grep -h gantry-transfer ~/.ssh/authorized_keys 2>/dev/null; true');
  const folders = await out(source, 'ls -d /tmp/gantry-transfer-* 2>/dev/null; true');
  const agents = await out(source, "pgrep -af '^ssh-agent .*gantry-transfer' 2>/dev/null; true");
  return [lines, folders, agents].filter(Boolean);
}

/** Leftovers, given up to `ms` to go (a killed agent notices its parent gone within 10 s; an unreachable target's line is retried every 20 s). */
export async function transferLeftoversAfter(source: RemoteHost, target: RemoteHost, ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await transferLeftovers(source, target);
    if (found.length === 0 || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
