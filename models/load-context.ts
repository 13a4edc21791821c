import type { FinsentEnv } from '../lib/env';
import type { ArtifactSource, LoadContext } from './families';
import { loadEffectiveModelsConfig } from './promotion/effective-config';

export interface ModelLoadContextOptions {
  /** The model registry (or a staging source over it); default: the registry the environment names. */
  artifacts?: ArtifactSource;
  /** The repository's config/models.yaml (tests point elsewhere). */
  modelsConfigFile?: string;
}

/**
 * The champion of a family as configured right now: config/models.yaml laid over by local
 * promotions under `$FINSENT_DATA_DIR/config` (see models/promotion/effective-config.ts). Read on
 * every call, so a promotion earlier in the same process shows.
 *
 *   championIn('/tmp/finsent')('vader')   // '1.1.0', or 'builtin' before any promotion
 */
export function championIn(
  dataDir: string,
  modelsConfigFile?: string,
): (family: string) => string | undefined {
  return (family) =>
    loadEffectiveModelsConfig(dataDir, ...(modelsConfigFile ? [modelsConfigFile] : [])).config.families[
      family
    ]?.champion;
}

/**
 * How every command, stage and action loads a model id: `vader@1.2.0` is fetched from the model
 * registry (GitHub Releases with GITHUB_TOKEN + GITHUB_REPOSITORY, else `$FINSENT_DATA_DIR/registry`),
 * a bare `vader` is the family's effective champion. The registry is opened on first fetch only,
 * so loading `vader-base` touches neither GitHub nor the disk.
 *
 *   const model = await createFamilyRegistry().load('vader@1.2.0', modelLoadContext(readEnv()));
 */
export function modelLoadContext(env: FinsentEnv, options: ModelLoadContextOptions = {}): LoadContext {
  const champion = championIn(env.dataDir, options.modelsConfigFile);
  let registry: Promise<ArtifactSource> | undefined;
  const artifacts: ArtifactSource = options.artifacts ?? {
    async fetch(family, version) {
      registry ??= import('./registry/index').then(({ createRegistry }) => createRegistry(env));
      return (await registry).fetch(family, version);
    },
  };
  return {
    env,
    artifacts,
    // `builtin` names the version a family ships in its code: the family's own default.
    championOf: (family) => {
      const version = champion(family);
      return version === 'builtin' ? undefined : version;
    },
  };
}
