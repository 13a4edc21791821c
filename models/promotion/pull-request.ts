import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../lib/errors';
import { RegistryError } from '../registry/errors';
import { type GitHubClient, parseRepository, statusOf } from '../registry/octokit';
import { setChampion } from './config-edit';

/**
 * Promotion as a pull request (GitOps): one branch per family, `finsent/promote-<family>`, whose
 * single commit edits config/models.yaml. Re-running resets that branch onto the current base and
 * updates the open pull request instead of opening another — never a pile of PRs per family.
 * A rollback uses the same branch: it supersedes a pending promotion of that family.
 */
export interface PromotionProposal {
  family: string;
  version: string;
  kind: 'promote' | 'rollback';
  /** The comparison report (Markdown) or the rollback's reason. */
  report: string;
  verdict?: string;
  /** Labels to add besides finsent's own. */
  labels?: readonly string[];
}

export interface PullRequestOptions {
  octokit: GitHubClient;
  /** `owner/repo`. */
  repository: string;
  /** Base branch; default: the repository's default branch. */
  base?: string;
  configPath?: string;
  now?: Date;
}

export interface PullRequestResult {
  status: 'created' | 'updated' | 'unchanged';
  branch: string;
  base: string;
  /** The champion on the base branch before this proposal. */
  previous: string | undefined;
  number?: number;
  url?: string;
}

const MAX_BODY = 65_536; // GitHub's limit for a pull request body
export const PROMOTION_LABEL = 'finsent:promotion';
export const ROLLBACK_LABEL = 'finsent:rollback';

export function promotionBranch(family: string): string {
  return `finsent/promote-${family}`;
}

interface PullLike {
  number: number;
  html_url: string;
  labels: { name: string }[];
}

export async function openOrUpdatePromotionPr(
  p: PromotionProposal,
  o: PullRequestOptions,
): Promise<PullRequestResult> {
  const { owner, repo } = parseRepository(o.repository);
  const gh = o.octokit;
  const configPath = o.configPath ?? 'config/models.yaml';
  const branch = promotionBranch(p.family);
  const fail = (doing: string, error: unknown) =>
    new RegistryError(
      `promotion PR for ${p.family}@${p.version}: ${doing} failed${statusOf(error) ? ` (HTTP ${statusOf(error)})` : ''}: ` +
        `${(error as Error).message}; the token needs "contents: write" and "pull-requests: write" on ${o.repository}`,
      { action: doing, input: o.repository },
      { cause: error },
    );
  try {
    const base = o.base ?? (await gh.rest.repos.get({ owner, repo })).data.default_branch;
    const baseRef = await gh.rest.git.getRef({ owner, repo, ref: `heads/${base}` });
    const baseSha = baseRef.data.object.sha;
    const file = await gh.rest.repos.getContent({ owner, repo, path: configPath, ref: base });
    const data = file.data as { type?: string; content?: string; sha: string };
    if (data.type !== 'file' || typeof data.content !== 'string') {
      throw new ConfigError(`${configPath} on ${base} is not a file`, { input: configPath });
    }
    const current = Buffer.from(data.content, 'base64').toString('utf8');
    const date = (o.now ?? new Date()).toISOString().slice(0, 10);
    const verb = p.kind === 'rollback' ? 'rolled back' : 'promoted';
    const edit = setChampion(
      current,
      p.family,
      p.version,
      `${verb} ${date}${p.verdict ? ` (${p.verdict})` : ''}`,
    );
    if (!edit.changed) return { status: 'unchanged', branch, base, previous: edit.previous };

    // The branch holds exactly one commit on top of the base. It is left alone only while an open
    // pull request already carries this very edit; a branch left over from a merged or closed PR
    // (an ancestor of the base by now) is reset, or the new PR would show no change.
    const open = await gh.rest.pulls.list({
      owner,
      repo,
      state: 'open',
      head: `${owner}:${branch}`,
      base,
      per_page: 10,
    });
    let branchText: string | undefined;
    let branchExists = true;
    try {
      const onBranch = await gh.rest.repos.getContent({ owner, repo, path: configPath, ref: branch });
      branchText = Buffer.from((onBranch.data as { content: string }).content, 'base64').toString('utf8');
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      branchExists = false;
    }
    const sameEdit =
      open.data.length > 0 && branchText !== undefined && sameChampion(branchText, edit.text, p.family);
    if (!sameEdit) {
      if (branchExists) {
        await gh.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: baseSha, force: true });
      } else {
        await gh.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: baseSha });
      }
      await gh.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: configPath,
        branch,
        sha: data.sha,
        message: `${p.kind === 'rollback' ? 'rollback' : 'promote'}(${p.family}): ${edit.previous ?? 'none'} → ${p.version}`,
        content: Buffer.from(edit.text, 'utf8').toString('base64'),
      });
    }

    const title =
      p.kind === 'rollback'
        ? `Roll back ${p.family} to ${p.version}`
        : `Promote ${p.family} ${p.version} to champion${p.verdict ? ` (${p.verdict})` : ''}`;
    const body = prBody(p, edit.previous, configPath);
    let pr: PullLike;
    let status: 'created' | 'updated';
    if (open.data.length > 0) {
      const existing = open.data[0]!;
      pr = (await gh.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body }))
        .data as unknown as PullLike;
      status = 'updated';
    } else {
      pr = (
        await gh.rest.pulls.create({
          owner,
          repo,
          title,
          head: branch,
          base,
          body,
          maintainer_can_modify: true,
        })
      ).data as unknown as PullLike;
      status = 'created';
    }
    const labels = [
      p.kind === 'rollback' ? ROLLBACK_LABEL : PROMOTION_LABEL,
      `model:${p.family}`,
      ...(p.verdict ? [`verdict:${p.verdict}`] : []),
      ...(p.labels ?? []),
    ];
    // Labels a person added stay; only finsent's own stale verdict/kind labels are replaced.
    const stale = (pr.labels ?? [])
      .map((l) => l.name)
      .filter(
        (n) =>
          !labels.includes(n) && (n.startsWith('verdict:') || n === PROMOTION_LABEL || n === ROLLBACK_LABEL),
      );
    for (const name of stale) {
      await gh.rest.issues
        .removeLabel({ owner, repo, issue_number: pr.number, name })
        .catch((error: unknown) => {
          if (statusOf(error) !== 404) throw error;
        });
    }
    await gh.rest.issues.addLabels({ owner, repo, issue_number: pr.number, labels });
    return { status, branch, base, previous: edit.previous, number: pr.number, url: pr.html_url };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RegistryError) throw error;
    throw fail('talking to GitHub', error);
  }
}

/** Whether the branch already carries this edit (same champion for the family). */
function sameChampion(a: string, b: string, family: string): boolean {
  const champion = (text: string): unknown => {
    try {
      return (parseYaml(text) as { families?: Record<string, { champion?: unknown }> } | null)?.families?.[
        family
      ]?.champion;
    } catch {
      return undefined;
    }
  };
  return a === b || (champion(a) !== undefined && champion(a) === champion(b));
}

function prBody(p: PromotionProposal, previous: string | undefined, configPath: string): string {
  const head =
    p.kind === 'rollback'
      ? `Rolls **${p.family}** back from \`${previous ?? 'none'}\` to \`${p.version}\` by editing \`${configPath}\`.`
      : `Makes **${p.family}@${p.version}** the champion (was \`${previous ?? 'none'}\`) by editing \`${configPath}\`.`;
  const text = [
    head,
    '',
    'Merging this pull request is the promotion: the promote workflow then checks that the release exists and matches ' +
      'its manifest, records the promotion and calls the deploy hook. Opened by finsent; re-running the stage updates ' +
      'this pull request instead of opening another.',
    '',
    p.report,
  ].join('\n');
  return text.length > MAX_BODY
    ? `${text.slice(0, MAX_BODY - 120)}\n\n…(report truncated; see the workflow's job summary)\n`
    : text;
}
