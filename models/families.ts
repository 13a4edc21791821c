import type { FinsentEnv } from '../lib/env';
import { UnknownModelError } from '../lib/errors';
import { parseModelId } from '../lib/model-id';
import { finbertFamily } from './finbert/family';
import type { SentimentModel } from './types';
import { vaderBaseFamily } from './vader/family';
import { vaderFamily } from './vader/financial/family';

export { formatModelId, type ModelId, parseModelId } from '../lib/model-id';

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
  /** `undefined`: the champion (context.championOf, else builtin); `builtin`: the version in the code. */
  load(version: string | undefined, context: LoadContext): Promise<SentimentModel>;
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
