/**
 * What a migration changes, for the operator to read before anything runs: a structured diff
 * (attribute changes, env vars added, references rewired, links and volumes created) and a
 * unified text diff of the normalized specs for diff2html. Secret values are masked in both;
 * nothing here is ever clear text.
 *
 * The baseline is what the operator compares against: the target's current spec on a promote,
 * the source's spec on a clone (the target has nothing yet; against the source, the diff shows
 * exactly what the clone changes — rewired references, new volume names, the domain left behind).
 */
import { createTwoFilesPatch } from 'diff';
import { redactSecrets } from '../redact';
import type { ResourceSpec } from '../spec/resource-spec';
import { maskEnvValue, maskSpec } from '../spec/secrets';
import type { DesiredSpec, RewireSite } from './desired-spec';
import type { ReferenceRewrite } from './rewire';

/** One attribute whose value changes (masked); null where it is absent on that side. */
export interface AttributeChange {
  path: string;
  before: string | null;
  after: string | null;
}

/** A rewired value as shown (masked). */
export interface RewiredView {
  site: RewireSite;
  key: string;
  before: string;
  after: string;
  references: ReferenceRewrite[];
}

/** The structured diff of one resource. */
export interface ResourceDiff {
  resourceId: string;
  name: string;
  mode: 'clone' | 'promote';
  /** A promote that changes nothing: the target already runs this spec (no steps for it). */
  unchanged: boolean;
  baseline: 'source' | 'target';
  attributes: AttributeChange[];
  envAdded: { key: string; value: string }[];
  envKeptFromTarget: string[];
  rewired: RewiredView[];
  linksCreated: { toResourceId: string; toName: string; toContainerName: string }[];
  volumesCreated: string[];
  domainLeftBehind: string[];
  /** Unified diff of this resource's normalized spec, masked. */
  unified: string;
}

/** The spec as text for a line diff: masked, keys sorted, one value per line. */
export function normalizedSpecText(spec: ResourceSpec): string {
  return `${JSON.stringify(sortKeys(maskSpec(spec)), null, 2)}\n`;
}

/** Builds the structured and unified diff of one resource. */
export function diffResource(options: {
  resourceId: string;
  name: string;
  mode: 'clone' | 'promote';
  unchanged?: boolean;
  /** The target's current spec (promote) or the source's (clone). */
  baseline: ResourceSpec;
  desired: DesiredSpec;
  /** Name shown as the diff's file, e.g. `uat/web`. */
  fileName: string;
  linksCreated: ResourceDiff['linksCreated'];
}): ResourceDiff {
  const { baseline, desired } = options;
  const maskedBaseline = maskSpec(baseline);
  const maskedDesired = maskSpec(desired.spec);
  const before = flattenSpec(maskedBaseline);
  const after = flattenSpec(maskedDesired);
  const attributes: AttributeChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path) ?? null;
    const b = after.get(path) ?? null;
    if (a !== b) attributes.push({ path, before: a, after: b });
  }
  // Headers left out: diff2html shows a file as RENAMED when they differ.
  const unified = createTwoFilesPatch(options.fileName, options.fileName, normalizedSpecText(baseline), normalizedSpecText(desired.spec), undefined, undefined, { context: 3 });
  return {
    resourceId: options.resourceId,
    name: options.name,
    mode: options.mode,
    unchanged: options.unchanged ?? false,
    baseline: options.mode === 'clone' ? 'source' : 'target',
    attributes,
    envAdded: desired.envAdded.map((key) => ({ key, value: maskedDesired.env[key] ?? '' })),
    envKeptFromTarget: desired.envKeptFromTarget,
    rewired: desired.rewired.map((rewire) => ({ ...rewire, before: maskRewired(rewire.site, rewire.key, rewire.before, baseline), after: maskRewired(rewire.site, rewire.key, rewire.after, desired.spec) })),
    linksCreated: options.linksCreated,
    volumesCreated: desired.volumesToCreate,
    domainLeftBehind: desired.domainLeftBehind,
    unified,
  };
}

/** Masks one rewired value the way the spec masking would show it in place. */
function maskRewired(site: RewireSite, key: string, value: string, spec: ResourceSpec): string {
  if (site === 'env' || site === 'label') return maskEnvValue(key, value);
  const args = site === 'command' ? spec.command : site === 'entrypoint' ? spec.entrypoint : site === 'healthcheck' ? (spec.healthcheck?.test ?? null) : null;
  const index = Number(key);
  if (args && args[index] === value) {
    const masked = site === 'command' ? maskSpec(spec).command : site === 'entrypoint' ? maskSpec(spec).entrypoint : (maskSpec(spec).healthcheck?.test ?? null);
    return masked?.[index] ?? redactSecrets(value);
  }
  return redactSecrets(value);
}

/**
 * One line per attribute: scalars by path, labels by key, mounts by container path, ports by
 * container port, networks by name, runtime settings by name. Env vars are left out: the structured diff lists them as
 * added, kept or rewired.
 */
export function flattenSpec(spec: ResourceSpec): Map<string, string> {
  const lines = new Map<string, string>();
  const put = (path: string, value: unknown) => lines.set(path, typeof value === 'string' ? value : JSON.stringify(value));
  put('image.ref', spec.image.ref);
  put('image.id', spec.image.id);
  put('image.digest', spec.image.digest);
  put('entrypoint', spec.entrypoint);
  put('command', spec.command);
  put('workingDir', spec.workingDir);
  put('user', spec.user);
  put('healthcheck', spec.healthcheck);
  put('restartPolicy', `${spec.restartPolicy.name}${spec.restartPolicy.maximumRetryCount ? `:${spec.restartPolicy.maximumRetryCount}` : ''}`);
  put('limits.memoryBytes', spec.limits.memoryBytes);
  put('limits.nanoCpus', spec.limits.nanoCpus);
  put('limits.pidsLimit', spec.limits.pidsLimit);
  for (const [key, value] of Object.entries(spec.labels)) put(`labels[${key}]`, value);
  for (const mount of spec.mounts) put(`mounts[${mount.target}]`, `${mount.type} ${mount.source}${mount.readOnly ? ' (read-only)' : ''}`);
  const ports = new Map<string, string[]>();
  for (const port of spec.ports) {
    const key = `ports[${port.containerPort}/${port.protocol}]`;
    ports.set(key, [...(ports.get(key) ?? []), `${port.hostIp ? `${port.hostIp}:` : ''}${port.hostPort}`]);
  }
  for (const [key, bindings] of ports) put(key, bindings.sort().join(', '));
  for (const network of spec.networks) put(`networks[${network.name}]`, network.aliases.length ? `aliases ${network.aliases.join(', ')}` : 'joined');
  for (const [key, value] of Object.entries(spec.runtime)) put(`runtime.${key}`, value);
  return lines;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => [key, sortKeys(member)]),
  );
}
