/**
 * Recognising an engine from a resource's spec: an image whose name is the engine's is sure;
 * an image name that merely contains it, the engine's env variables, its server binary in the
 * command or an image label naming it are evidence, but unsure (the UI asks the operator).
 */
import type { DatabaseType } from '@shared/spec/resource-spec';
import type { DatabaseDetection, DatabaseSpec } from './adapter';
import { imageName, imageRepository, processWords } from './container-shell';

/** What points at one engine. */
export interface DetectionRules {
  type: DatabaseType;
  /** Image names (last path component, or a full repository) that are this engine for sure. */
  images: string[];
  /** Substrings of an image repository that suggest it. */
  imageHints: string[];
  /** Env variables that suggest it. */
  env: string[];
  /** Server binaries in the entrypoint/command that suggest it. */
  binaries: string[];
}

/** Applies one engine's rules to a spec. */
export function detectByRules(rules: DetectionRules, spec: DatabaseSpec): DatabaseDetection | null {
  const repository = imageRepository(spec.image.ref);
  const name = imageName(spec.image.ref);
  if (rules.images.includes(name) || rules.images.includes(repository)) {
    return { type: rules.type, confidence: 'sure', reason: `image ${spec.image.ref}` };
  }
  const hint = rules.imageHints.find((h) => repository.includes(h));
  if (hint) return { type: rules.type, confidence: 'unsure', reason: `image ${spec.image.ref} mentions ${hint}` };
  const word = processWords(spec).find((w) => rules.binaries.includes(w.split('/').pop()!));
  if (word) return { type: rules.type, confidence: 'unsure', reason: `runs ${word}` };
  const variable = rules.env.find((v) => v in spec.env);
  if (variable) return { type: rules.type, confidence: 'unsure', reason: `env ${variable}` };
  const title = spec.labels['org.opencontainers.image.title']?.toLowerCase() ?? '';
  const label = rules.imageHints.find((h) => title.includes(h));
  if (label) return { type: rules.type, confidence: 'unsure', reason: `label org.opencontainers.image.title=${title}` };
  return null;
}
