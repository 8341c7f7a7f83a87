/**
 * Test-only: lets the fault-matrix lab test land a fault (engine SIGKILL, dropped SSH connection)
 * inside a given step kind. When `GANTRY_FAULT_PAUSE_FILE` names a file holding
 * `{ "kind": "<step kind>", "phase": "before" | "after", "ms": N }`, the saga pauses N ms at that
 * point of every step of that kind (until the file no longer asks), after journaling that it does. Without the variable (as in
 * every real run) it does nothing.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const pauseRequest = z.object({ kind: z.string(), phase: z.enum(['before', 'after']), ms: z.number().int().min(0).max(600_000) });

/** Pauses a step at one phase when the test asked for it. */
export type StepPause = (step: { kind?: string }, phase: 'before' | 'after', log: (message: string) => void) => Promise<void>;

/** The pause hook the environment asks for, or undefined (the normal case). */
export function faultPauseFromEnv(env: NodeJS.ProcessEnv = process.env): StepPause | undefined {
  const file = env.GANTRY_FAULT_PAUSE_FILE;
  if (!file) return undefined;
  const read = (): z.infer<typeof pauseRequest> | null => {
    try {
      const parsed = pauseRequest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  return async (step, phase, log) => {
    const request = read();
    if (!request || request.kind !== step.kind || request.phase !== phase) return;
    log(`[fault-matrix] paused ${phase} ${step.kind} for up to ${request.ms} ms`);
    // Until the time is up or the test clears the file.
    const until = Date.now() + request.ms;
    while (Date.now() < until && read()?.kind === step.kind) await new Promise((resolve) => setTimeout(resolve, 100));
  };
}
