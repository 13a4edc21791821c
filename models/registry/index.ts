import path from 'node:path';
import type { FinsentEnv } from '../../lib/env';
import { GitHubRegistry } from './github';
import { LocalRegistry } from './local';
import { createGitHubClient, type GitHubClient } from './octokit';
import type { ModelRegistry } from './types';

export { ConflictError, NotFoundError, RegistryError } from './errors';
export { GitHubRegistry } from './github';
export { LocalRegistry } from './local';
export * from './manifest';
export { renderModelCard } from './model-card';
export { createGitHubClient, type GitHubClient, parseRepository } from './octokit';
export * from './semver';
export * from './types';

export interface RegistryFromEnvOptions {
  /** An Octokit made by createGitHubClient (tests pass one backed by recorded responses). */
  octokit?: GitHubClient;
  /** GitHub REST root (GITHUB_API_URL on Actions runners and GHES). */
  apiUrl?: string;
  /** Force the local backend even when a token is set. */
  local?: boolean;
}

/** The local registry directory under the data dir. */
export function localRegistryDir(env: FinsentEnv): string {
  return path.join(env.dataDir, 'registry');
}

/**
 * GitHub Releases when GITHUB_TOKEN and GITHUB_REPOSITORY are set, otherwise the local directory
 * `$FINSENT_DATA_DIR/registry` — decided by configuration, never by code edits.
 */
export function createRegistry(env: FinsentEnv, options: RegistryFromEnvOptions = {}): ModelRegistry {
  if (!options.local && env.githubToken && env.githubRepository) {
    const octokit =
      options.octokit ??
      createGitHubClient({ token: env.githubToken, ...(options.apiUrl ? { baseUrl: options.apiUrl } : {}) });
    return new GitHubRegistry({
      octokit,
      repository: env.githubRepository,
      cacheDir: path.join(env.dataDir, 'registry-cache'),
    });
  }
  return new LocalRegistry(localRegistryDir(env));
}
