/**
 * Test-only: lets the fault-matrix lab test land a fault (engine SIGKILL, dropped SSH connection)
 * inside a given step kind. When `GANTRY_FAULT_PAUSE_FILE` names a file holding
 * `{ "kind": "<step kind>", "phase": "before" | "after", "ms": N }`, the saga pauses N ms at that
 * point of every step of that kind, after journaling that it does. Without the variable (as in
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
  return async (step, phase, log) => {
    let request: z.infer<typeof pauseRequest> | null = null;
    try {
      const parsed = pauseRequest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      request = parsed.success ? parsed.data : null;
    } catch {
      request = null;
    }
    if (!request || request.kind !== step.kind || request.phase !== phase) return;
    log(`[fault-matrix] paused ${phase} ${step.kind} for ${request.ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, request.ms));
  };
}
