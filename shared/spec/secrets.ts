/**
 * Recognising secret material inside a resource spec (env values, command arguments, labels,
 * health-check commands, log driver options) and masking it. This is the one place that decides what counts as a
 * secret in a spec, with the rules of shared/redact.ts (the one masking module) so both agree.
 *
 * Two uses: `maskSpec` for anything shown (UI, logs, diffs), and `sealSpec` for anything stored
 * (history rows): sealing keeps the masked text readable and appends a keyed fingerprint of the
 * original value supplied by the main side, so a stored spec still changes when a secret does.
 */
import { MASK, isSecretEnvKey, maskCommand, maskEnvValue } from '../redact';
import type { ResourceSpec } from './resource-spec';

export { MASK, isSecretEnvKey, maskCommand, maskEnvValue };

/**
 * Receives each secret-bearing value of a spec: `masked` is what may be shown, `original` the
 * clear value. Returns what the value becomes.
 */
export type SecretReplacer = (masked: string, original: string) => string;

function replaceRecord(record: Record<string, string>, onSecret: SecretReplacer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => {
      const masked = maskEnvValue(key, value);
      return [key, masked === value ? value : onSecret(masked, value)];
    }),
  );
}

function replaceCommand(args: string[] | null, onSecret: SecretReplacer): string[] | null {
  if (args === null) return null;
  const masked = maskCommand(args);
  return args.map((arg, i) => (masked[i] === arg ? arg : onSecret(masked[i] ?? MASK, arg)));
}

/** Returns a copy of `spec` in which every secret-bearing value was passed through `onSecret`. */
export function replaceSpecSecrets(spec: ResourceSpec, onSecret: SecretReplacer): ResourceSpec {
  return {
    ...spec,
    entrypoint: replaceCommand(spec.entrypoint, onSecret),
    command: replaceCommand(spec.command, onSecret),
    env: replaceRecord(spec.env, onSecret),
    labels: replaceRecord(spec.labels, onSecret),
    healthcheck: spec.healthcheck ? { ...spec.healthcheck, test: replaceCommand(spec.healthcheck.test, onSecret) ?? [] } : null,
    // Log drivers take credentials as options (`splunk-token`, `awslogs-credentials-endpoint`).
    runtime: { ...spec.runtime, logConfig: { ...spec.runtime.logConfig, options: replaceRecord(spec.runtime.logConfig.options, onSecret) } },
  };
}

/** A copy of `spec` with every secret masked: the form to show in the UI, logs and diffs. */
export function maskSpec(spec: ResourceSpec): ResourceSpec {
  return replaceSpecSecrets(spec, (masked) => masked);
}

/** Matches the fingerprint suffix `sealSpec` appends, e.g. ` ‹hmac:0123abcd…›`. */
export const sealedFingerprint = / ‹hmac:[0-9a-f]+›$/;

/**
 * A copy of `spec` safe to store: each secret is masked and followed by `‹hmac:…›`, the keyed
 * fingerprint the main side computes, so the stored spec (and its hash) changes when a secret
 * changes while the secret itself never reaches the database.
 */
export function sealSpec(spec: ResourceSpec, fingerprint: (secret: string) => string): ResourceSpec {
  return replaceSpecSecrets(spec, (masked, original) => `${masked} ‹hmac:${fingerprint(original)}›`);
}
