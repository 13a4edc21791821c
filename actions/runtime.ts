import path from 'node:path';
import * as core from '@actions/core';
import { type FinsentEnv, readEnv } from '../lib/env';
import { openRuntime, type Runtime, type RuntimeOptions } from '../models/training/runtime';

export interface ActionRuntime {
  /** The checked-out repository: config/ and migrations are read from here, not from the bundle. */
  workspace: string;
  env: FinsentEnv;
  rt: Runtime;
}

/**
 * Opens the runtime the model-stage actions (train, evaluate, promote) share: the environment
 * with the action's `token` input as GITHUB_TOKEN, the repository's migrations, GitHub
 * Enterprise's API URL when set, and warnings as workflow annotations. The store is opened only
 * with DATABASE_URL: a PGlite directory on a runner would vanish with it.
 */
export async function openActionRuntime(
  token: string | undefined,
  extra: Pick<RuntimeOptions, 'trainers' | 'families'> = {},
): Promise<ActionRuntime> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const env = readEnv({ ...process.env, ...(token ? { GITHUB_TOKEN: token } : {}) }, workspace);
  const rt = await openRuntime(env, {
    store: env.databaseUrl !== undefined,
    migrationsDir: path.join(workspace, 'pipeline', 'store', 'migrations'),
    ...(process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {}),
    onWarning: (m) => core.warning(m),
    ...extra,
  });
  return { workspace, env, rt };
}
