import { Octokit } from 'octokit';
import { ConfigError } from '../../lib/errors';

/** The Octokit class from the `octokit` package: REST methods, pagination, retry and throttling. */
export type GitHubClient = InstanceType<typeof Octokit>;

export interface GitHubClientOptions {
  /** A GitHub App installation token, a fine-grained PAT or the workflow's GITHUB_TOKEN. */
  token: string;
  /** REST API root; GitHub Enterprise Server or a test server. Default https://api.github.com. */
  baseUrl?: string;
  /** An injected fetch (tests hand in recorded responses; the network is never touched). */
  fetch?: typeof globalThis.fetch;
  /** Base of the retry plugin's quadratic back-off, in ms (1000 in production). */
  retryBaseMs?: number;
  /** Retries for 5xx and network failures. */
  retries?: number;
  /** Turn the throttling plugin off (tests only: it spaces writes one second apart). */
  throttle?: boolean;
  /** Where warnings go (rate limits, retries); library code never prints. */
  onWarning?: (message: string) => void;
}

/**
 * The one Octokit factory. Every GitHub call in finsent goes through a client made here, passed
 * into functions as a parameter so tests can hand in one backed by recorded responses.
 *
 * ```ts
 * const octokit = createGitHubClient({ token: process.env.GITHUB_TOKEN! });
 * const registry = new GitHubRegistry({ octokit, repository: 'acme/finsent', cacheDir });
 * ```
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const warn = options.onWarning ?? (() => {});
  const retries = options.retries ?? 3;
  return new Octokit({
    auth: options.token,
    userAgent: 'finsent',
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    log: { debug: () => {}, info: () => {}, warn: (m: string) => warn(m), error: (m: string) => warn(m) },
    retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle: {
      enabled: options.throttle ?? true,
      // Primary limit: wait for the reset once, then give up with GitHub's own error.
      onRateLimit: (
        retryAfter: number,
        req: { method: string; url: string; request: { retryCount: number } },
      ) => {
        warn(`GitHub rate limit hit on ${req.method} ${req.url}; retrying in ${retryAfter} s`);
        return req.request.retryCount < 1;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        req: { method: string; url: string; request: { retryCount: number } },
      ) => {
        warn(`GitHub secondary rate limit on ${req.method} ${req.url}; retrying in ${retryAfter} s`);
        return req.request.retryCount < 2;
      },
    },
  });
}

export interface Repository {
  owner: string;
  repo: string;
}

/** `owner/repo` (GITHUB_REPOSITORY) → its parts, or a ConfigError naming the fix. */
export function parseRepository(value: string | undefined): Repository {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value?.trim() ?? '');
  if (!m) {
    throw new ConfigError(
      `GITHUB_REPOSITORY must be "owner/repo" (got ${value ? `"${value}"` : 'nothing'}); set it, or unset GITHUB_TOKEN to use the local registry`,
      { input: value },
    );
  }
  return { owner: m[1]!, repo: m[2]! };
}

/** The HTTP status of an Octokit RequestError (or undefined for other failures). */
export function statusOf(error: unknown): number | undefined {
  const s = (error as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

/** GitHub's validation error codes (`already_exists`, `custom`…) from a 422 response. */
export function validationCodes(error: unknown): string[] {
  const data = (error as { response?: { data?: { errors?: { code?: string }[] } } })?.response?.data;
  return (data?.errors ?? []).map((e) => e.code ?? '').filter(Boolean);
}
