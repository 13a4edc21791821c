import type { FinsentEnv } from '../lib/env';
import { UnknownModelError } from '../lib/errors';
import { finbertFamily } from './finbert/family';
import type { SentimentModel } from './types';
import { vaderBaseFamily } from './vader/family';
import { vaderFamily } from './vader/financial/family';

/** A model id split into its parts: `vader@1.3.0` → { family: 'vader', version: '1.3.0' }. */
export interface ModelId {
  family: string;
  /** Undefined means "the current champion" (or the family's built-in default). */
  version?: string;
}

/** Where trained artifacts come from: the model registry (local directory or GitHub Releases). */
export interface ArtifactSource {
  /** A local directory holding the release's files (downloaded and verified if remote). */
  fetch(family: string, version: string): Promise<string>;
}

export interface LoadContext {
  env: FinsentEnv;
  /** Needed by families whose versions are trained artifacts (vader, finbert heads). */
  artifacts?: ArtifactSource;
  /** The champion version of a family from config/models.yaml, for bare ids. */
  championOf?: (family: string) => string | undefined;
}

/** A model family: its name, what it is, and how to load a version of it. */
export interface ModelFamily {
  readonly name: string;
  readonly description: string;
  load(version: string | undefined, context: LoadContext): Promise<SentimentModel>;
}

const ID_PATTERN = /^([a-z][a-z0-9-]*)(?:@v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?))?$/;

export function parseModelId(id: string): ModelId {
  const match = ID_PATTERN.exec(id.trim());
  if (!match) {
    throw new UnknownModelError(
      `"${id}" is not a model id: use a family name such as "vader-base", optionally pinned as "vader@1.3.0"`,
      { input: id },
    );
  }
  const [, family, version] = match;
  return version === undefined ? { family: family! } : { family: family!, version };
}

export function formatModelId(id: ModelId): string {
  return id.version ? `${id.family}@${id.version}` : id.family;
}

/** Maps model families to their loaders: the one place an id like `vader@1.3.0` is resolved. */
export class FamilyRegistry {
  readonly #families = new Map<string, ModelFamily>();

  register(family: ModelFamily): this {
    this.#families.set(family.name, family);
    return this;
  }

  families(): ModelFamily[] {
    return [...this.#families.values()];
  }

  names(): string[] {
    return [...this.#families.keys()];
  }

  /** The family an id names; an unknown id fails with the list of valid ones. */
  resolve(id: string): { family: ModelFamily; version?: string } {
    const parsed = parseModelId(id);
    const family = this.#families.get(parsed.family);
    if (!family) {
      throw new UnknownModelError(
        `unknown model "${id}": valid models are ${this.names().join(', ')} (optionally pinned, e.g. "${this.names()[0] ?? 'vader'}@1.0.0")`,
        { input: id, valid: this.names() },
      );
    }
    return parsed.version === undefined ? { family } : { family, version: parsed.version };
  }

  async load(id: string, context: LoadContext): Promise<SentimentModel> {
    const { family, version } = this.resolve(id);
    return family.load(version, context);
  }
}

/**
 * The model families finsent knows. Each family's module exports a `ModelFamily`; add it here.
 */
export function createFamilyRegistry(): FamilyRegistry {
  const registry = new FamilyRegistry();
  registry.register(vaderBaseFamily);
  registry.register(vaderFamily);
  registry.register(finbertFamily);
  return registry;
}
