/**
 * Vitest global setup for integration tests: brings the lab up once per run (`lab.sh up` is
 * idempotent and also clears faults a previous run left on) and provides its details to tests
 * as `inject('lab')`. If the lab cannot start, this throws and the run fails: integration tests
 * never skip silently.
 *
 * The lab is left running after the run, whatever GANTRY_LAB_KEEP says (it is accepted for
 * clarity): a warm lab makes the next run fast, and CI tears it down with `lab.sh down`.
 */
import { spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { LAB_SCRIPT, labDetails } from './lab-client';

function labUp(): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout of `up` is quiet; its progress goes to stderr, which we pass through.
    const child = spawn('bash', [LAB_SCRIPT, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`lab did not start: lab.sh up exited with ${signal ?? code} (see its output above)`));
    });
  });
}

/** Starts the lab and provides its details as `lab`. */
export default async function setup(project: TestProject): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('the lab needs root (network namespaces, loop devices, dockerd): run the integration tests as root');
  }
  await labUp();
  const details = await labDetails();
  for (const server of Object.values(details.servers)) {
    if (!server.running) throw new Error(`lab server ${server.name} is not running after lab.sh up`);
  }
  project.provide('lab', details);
}
