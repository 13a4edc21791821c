import { FinsentError } from '../../lib/errors';

/**
 * Render deploy hooks: a secret URL (`https://api.render.com/deploy/srv-…?key=…`) that starts a
 * deploy when POSTed to. The key is in the query string, so it is never logged: messages show
 * only the origin and path.
 */
export function redactHookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<unparseable deploy hook URL>';
  }
}

export interface DeployHookOptions {
  fetch?: typeof globalThis.fetch;
  attempts?: number;
  backoffMs?: number;
}

export interface DeployHookResult {
  status: number;
  /** Render answers `{ "deploy": { "id": "dep-…" } }`. */
  deployId: string | null;
}

export async function callDeployHook(
  url: string,
  options: DeployHookOptions = {},
): Promise<DeployHookResult> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const attempts = options.attempts ?? 3;
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await doFetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
      if (res.ok) {
        const body = (await res.json().catch(() => ({}))) as { deploy?: { id?: string } };
        return { status: res.status, deployId: body.deploy?.id ?? null };
      }
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break; // a wrong or revoked hook will not heal
    } catch (error) {
      last = (error as Error).message;
    }
    if (i < attempts) await new Promise((r) => setTimeout(r, (options.backoffMs ?? 2000) * i));
  }
  throw new FinsentError(
    'SOURCE_ERROR',
    `the deploy hook ${redactHookUrl(url)} failed (${last}); check RENDER_DEPLOY_HOOK_URL, or deploy by hand from the Render dashboard`,
    { action: 'calling the deploy hook', input: redactHookUrl(url) },
  );
}
