import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../lib/paths';

/**
 * The code commit a model was trained from: GITHUB_SHA on Actions, else `git rev-parse HEAD`
 * with `-dirty` when tracked files have uncommitted changes, else `unknown` (a tarball install).
 */
export function codeCommit(env: NodeJS.ProcessEnv = process.env, cwd: string = REPO_ROOT): string {
  const sha = env.GITHUB_SHA?.trim();
  if (sha && /^[0-9a-f]{40}$/.test(sha)) return sha;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
    let dirty = false;
    try {
      execFileSync('git', ['diff', '--quiet', 'HEAD', '--'], { cwd, stdio: 'ignore', timeout: 5000 });
    } catch {
      dirty = true;
    }
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}
