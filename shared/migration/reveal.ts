/**
 * Revealing one masked value of a plan's diff, on the operator's demand. The engine keeps the
 * clear specs of a plan in memory while it can still be started; the UI names a value exactly as
 * the diff shows it (an attribute path, an added env var, a rewired value) and gets that one
 * value back. Nothing revealed is stored, logged or kept by the engine.
 */
import { z } from 'zod';
import type { ResourceSpec } from '../spec/resource-spec';
import { flattenSpec } from './diff';

const name = z.string().min(1).max(500);

/** One value as the diff names it. */
export const revealField = z.discriminatedUnion('kind', [
  /** An attribute change, by its path in the structured diff (`labels[APP_KEY]`, `command`). */
  z.object({ kind: z.literal('attribute'), path: name }).strict(),
  /** An env var, by key. */
  z.object({ kind: z.literal('env'), key: name }).strict(),
  /** A rewired value: an env var or label by key, an argument by its index. */
  z.object({ kind: z.literal('rewired'), site: z.enum(['env', 'label', 'command', 'entrypoint', 'healthcheck']), key: name }).strict(),
]);
/** One value as the diff names it. */
export type RevealField = z.infer<typeof revealField>;

/** Asks for one value of a plan in clear: before the migration (the diff's baseline) or after it. */
export const revealRequest = z
  .object({
    planId: z.string().min(1).max(100),
    resourceId: z.string().min(1).max(100),
    side: z.enum(['before', 'after']),
    field: revealField,
  })
  .strict();
/** Asks for one value of a plan in clear. */
export type RevealRequest = z.infer<typeof revealRequest>;

/** How a field reads in messages: `env POSTGRES_PASSWORD`, `command argument 2`. */
export function describeField(field: RevealField): string {
  if (field.kind === 'attribute') return field.path;
  if (field.kind === 'env') return `env ${field.key}`;
  return field.site === 'env' || field.site === 'label' ? `${field.site} ${field.key}` : `${field.site} argument ${field.key}`;
}

/** The clear value `field` names in `spec`, in the form the diff shows it; null when the spec has none. */
export function clearValueOf(spec: ResourceSpec, field: RevealField): string | null {
  if (field.kind === 'attribute') return flattenSpec(spec).get(field.path) ?? null;
  if (field.kind === 'env') return own(spec.env, field.key);
  if (field.site === 'env') return own(spec.env, field.key);
  if (field.site === 'label') return own(spec.labels, field.key);
  const args = field.site === 'command' ? spec.command : field.site === 'entrypoint' ? spec.entrypoint : (spec.healthcheck?.test ?? null);
  if (!/^\d+$/.test(field.key)) return null;
  return args?.[Number(field.key)] ?? null;
}

function own(record: Record<string, string>, key: string): string | null {
  return Object.hasOwn(record, key) ? (record[key] ?? null) : null;
}
