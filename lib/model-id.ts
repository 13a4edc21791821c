/**
 * Model ids (ARCHITECTURE.md): a family and an optional version. The one definition of the
 * syntax, shared by the model registry, config/models.yaml's schema and the API's schemas.
 *
 *   parseModelId('vader@1.3.0')    // → { family: 'vader', version: '1.3.0' }
 *   parseModelId('vader@builtin')  // → { family: 'vader', version: 'builtin' }
 *   parseModelId('vader')          // → { family: 'vader' }: the champion in config/models.yaml
 */
import { UnknownModelError } from './errors';

/** A model id split into its parts: `vader@1.3.0` → { family: 'vader', version: '1.3.0' }. */
export interface ModelId {
  family: string;
  /** Undefined means "the current champion" (or the family's built-in default). */
  version?: string;
}

const SEMVER = String.raw`\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?`;

/** A version as config/models.yaml writes it: a semver, or `builtin` (the version a family ships in its code). */
export const VERSION_PATTERN = new RegExp(`^(?:builtin|${SEMVER})$`);

/** `family`, `family@1.2.0` (a leading `v` is allowed) or `family@builtin`. */
export const MODEL_ID_PATTERN = new RegExp(`^([a-z][a-z0-9-]*)(?:@(?:(builtin)|v?(${SEMVER})))?$`);

export function parseModelId(id: string): ModelId {
  const match = MODEL_ID_PATTERN.exec(id.trim());
  if (!match) {
    throw new UnknownModelError(
      `"${id}" is not a model id: use a family name such as "vader-base", optionally pinned as "vader@1.3.0" or "vader@builtin"`,
      { input: id },
    );
  }
  const [, family, builtin, semver] = match;
  const version = builtin ?? semver;
  return version === undefined ? { family: family! } : { family: family!, version };
}

export function formatModelId(id: ModelId): string {
  return id.version ? `${id.family}@${id.version}` : id.family;
}
