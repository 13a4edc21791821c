import type { FinsentEnv } from '../../lib/env';
import type { Db } from '../../pipeline/store/db';
import { loadMigrations } from '../../pipeline/store/migrate';
import { openStore } from '../../pipeline/store/open';
import { createFamilyRegistry, type FamilyRegistry } from '../families';
import { createGitHubClient, createRegistry, type GitHubClient } from '../registry/index';
import type { ModelRegistry } from '../registry/types';
import { TRAINERS, type TrainerFactory } from './trainers';

/**
 * What the train/compare/registry/promote commands and actions share: the store, the registry
 * (local or GitHub by environment), the model families and the trainers. The edges open one,
 * use it, and close it.
 */
export interface Runtime {
  env: FinsentEnv;
  db: Db | undefined;
  registry: ModelRegistry;
  families: FamilyRegistry;
  trainers: Record<string, TrainerFactory>;
  /** Set when GITHUB_TOKEN and GITHUB_REPOSITORY are: promotion opens pull requests. */
  github: { octokit: GitHubClient; repository: string } | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Open the store (PGlite under the data dir, or DATABASE_URL). Default true. */
  store?: boolean;
  /** Directory of migrations (actions pass the checked-out repository's). */
  migrationsDir?: string;
  octokit?: GitHubClient;
  /** GITHUB_API_URL (GHES, or a test server). */
  apiUrl?: string;
  /** Use the local registry even when a token is set. */
  local?: boolean;
  families?: FamilyRegistry;
  trainers?: Record<string, TrainerFactory>;
  onWarning?: (message: string) => void;
}

export async function openRuntime(env: FinsentEnv, options: RuntimeOptions = {}): Promise<Runtime> {
  const github =
    !options.local && env.githubToken && env.githubRepository
      ? {
          octokit:
            options.octokit ??
            createGitHubClient({
              token: env.githubToken,
              ...(options.apiUrl ? { baseUrl: options.apiUrl } : {}),
              ...(options.onWarning ? { onWarning: options.onWarning } : {}),
            }),
          repository: env.githubRepository,
        }
      : undefined;
  const registry = createRegistry(env, {
    ...(github ? { octokit: github.octokit } : {}),
    ...(options.local ? { local: true } : {}),
  });
  const db =
    options.store === false
      ? undefined
      : await openStore(
          env,
          options.migrationsDir ? { migrations: loadMigrations(options.migrationsDir) } : {},
        );
  return {
    env,
    db,
    registry,
    families: options.families ?? createFamilyRegistry(),
    trainers: options.trainers ?? TRAINERS,
    github,
    close: async () => {
      await db?.close();
    },
  };
}

/** A StageContext over an open runtime; `log` receives progress lines. */
export function stageContext(
  rt: Runtime,
  log: (line: string) => void,
  extra: Partial<import('./stage').StageContext> = {},
): import('./stage').StageContext {
  return {
    env: rt.env,
    registry: rt.registry,
    families: rt.families,
    trainers: rt.trainers,
    log,
    ...(rt.db ? { db: rt.db } : {}),
    ...(rt.github ? { github: rt.github } : {}),
    ...extra,
  };
}
