import { Octokit } from 'octokit';
import { ConfigError, FinsentError } from '../../lib/errors';

/**
 * The GitHub side of monitoring: issues that carry incidents and the dispatch that asks for
 * retraining. One Octokit factory (the `octokit` package brings retry and throttling); every
 * function takes the client as an argument so tests hand in one whose fetch replays recorded
 * responses.
 */
export type GitHubClient = Pick<Octokit, 'request'>;

export interface GitHubRepo {
  owner: string;
  repo: string;
  /** For links; https://github.com unless GitHub Enterprise. */
  serverUrl?: string;
}

export interface GitHubContext extends GitHubRepo {
  client: GitHubClient;
}

/**
 * @param options.throttle false turns off the plugin's spacing of writes (one per second, as
 *   GitHub asks of integrations); only tests against a local stand-in should do that.
 */
export function createOctokit(options: {
  token: string;
  fetch?: typeof fetch;
  baseUrl?: string;
  throttle?: boolean;
}): Octokit {
  return new Octokit({
    auth: options.token,
    userAgent: 'finsent-monitor',
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    request: { ...(options.fetch ? { fetch: options.fetch } : {}) },
    throttle: {
      enabled: options.throttle !== false,
      // Secondary limits on issue writes are real: wait and retry once, then give up loudly.
      onRateLimit: (_after: number, _opts: object, _o: unknown, retryCount: number) => retryCount < 1,
      onSecondaryRateLimit: (_after: number, _opts: object, _o: unknown, retryCount: number) =>
        retryCount < 1,
    },
  });
}

/** `owner/name` → parts; anything else fails naming GITHUB_REPOSITORY. */
export function parseRepository(text: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9-_.]+)\/([A-Za-z0-9-_.]+)$/.exec(text.trim());
  if (!m) {
    throw new ConfigError(
      `"${text}" is not a repository: set GITHUB_REPOSITORY to owner/name, e.g. octo/finsent`,
      {
        input: text,
      },
    );
  }
  return { owner: m[1]!, repo: m[2]! };
}

export class GitHubError extends FinsentError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('REGISTRY_ERROR', message, context, options);
  }
}

export interface IssueSummary {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  labels: string[];
}

type RawIssue = {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  labels: Array<string | { name?: string }>;
  pull_request?: unknown;
};

function summarise(i: RawIssue): IssueSummary {
  return {
    number: i.number,
    html_url: i.html_url,
    title: i.title,
    body: i.body ?? null,
    state: i.state,
    labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
  };
}

async function call<T>(what: string, fn: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await fn()).data;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const hint =
      status === 401
        ? 'the token is invalid or expired'
        : status === 403 || status === 404
          ? 'the token lacks permission (the workflow needs `issues: write` and `actions: write`) or the repository is wrong'
          : status === 422
            ? 'GitHub rejected the request body (for a dispatch: does the workflow declare these inputs?)'
            : 'GitHub did not answer as expected';
    throw new GitHubError(
      `GitHub: ${what} failed (${status ?? 'no status'}): ${hint}`,
      { action: what },
      { cause: error },
    );
  }
}

/** Open issues with a label (pull requests left out), every page. */
export async function listOpenIssues(gh: GitHubContext, label: string): Promise<IssueSummary[]> {
  const out: IssueSummary[] = [];
  for (let page = 1; page <= 10; page++) {
    const data = await call('listing open issues', () =>
      gh.client.request('GET /repos/{owner}/{repo}/issues', {
        owner: gh.owner,
        repo: gh.repo,
        state: 'open',
        labels: label,
        per_page: 100,
        page,
      }),
    );
    const issues = data as unknown as RawIssue[];
    out.push(...issues.filter((i) => !i.pull_request).map(summarise));
    if (issues.length < 100) break;
  }
  return out;
}

export async function createIssue(
  gh: GitHubContext,
  issue: { title: string; body: string; labels: string[] },
): Promise<IssueSummary> {
  const data = await call('creating an incident issue', () =>
    gh.client.request('POST /repos/{owner}/{repo}/issues', { owner: gh.owner, repo: gh.repo, ...issue }),
  );
  return summarise(data as unknown as RawIssue);
}

export async function updateIssue(
  gh: GitHubContext,
  number: number,
  patch: {
    title?: string;
    body?: string;
    state?: 'open' | 'closed';
    state_reason?: 'completed' | 'not_planned';
  },
): Promise<IssueSummary> {
  const data = await call(`updating issue #${number}`, () =>
    gh.client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: number,
      ...patch,
    }),
  );
  return summarise(data as unknown as RawIssue);
}

export async function commentOnIssue(gh: GitHubContext, number: number, body: string): Promise<string> {
  const data = await call(`commenting on issue #${number}`, () =>
    gh.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: number,
      body,
    }),
  );
  return (data as { html_url: string }).html_url;
}

/** Asks for retraining: a workflow_dispatch on the training workflow, or a repository_dispatch. */
export async function dispatchRetrain(
  gh: GitHubContext,
  request: {
    method: 'workflow_dispatch' | 'repository_dispatch';
    workflow: string;
    ref: string;
    eventType: string;
    model: string;
    payload: Record<string, unknown>;
  },
): Promise<string> {
  if (request.method === 'workflow_dispatch') {
    await call(`dispatching ${request.workflow}`, () =>
      gh.client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner: gh.owner,
        repo: gh.repo,
        workflow_id: request.workflow,
        ref: request.ref,
        // train.yml declares a `model` input; the reason travels in the incident issue.
        inputs: { model: request.model },
      }),
    );
    return `workflow_dispatch ${request.workflow}@${request.ref} (model ${request.model})`;
  }
  await call(`sending repository_dispatch ${request.eventType}`, () =>
    gh.client.request('POST /repos/{owner}/{repo}/dispatches', {
      owner: gh.owner,
      repo: gh.repo,
      event_type: request.eventType,
      client_payload: { model: request.model, ...request.payload },
    }),
  );
  return `repository_dispatch ${request.eventType} (model ${request.model})`;
}

export function repoUrl(gh: GitHubRepo, path = ''): string {
  return `${gh.serverUrl ?? 'https://github.com'}/${gh.owner}/${gh.repo}${path}`;
}
