/**
 * The live API, when one is configured: `VITE_FINSENT_API_URL` at build time, or `config.json`
 * beside the site at run time (`{ "apiUrl": "/api" }` with the Vercel rewrite, or a full URL with
 * CORS). The dashboard works without it; the header says which.
 */
export interface LiveConfig {
  apiUrl: string | null;
  source: 'build' | 'config.json' | 'none';
}

export interface LiveResult {
  ok: boolean;
  /** Per endpoint: the parsed body, or the error message. */
  endpoints: { path: string; ok: boolean; body: unknown; error: string | null; ms: number }[];
}

export async function resolveLiveConfig(): Promise<LiveConfig> {
  const built = (import.meta.env.VITE_FINSENT_API_URL as string | undefined)?.trim();
  if (built) return { apiUrl: built.replace(/\/+$/, ''), source: 'build' };
  try {
    const r = await fetch('config.json', { cache: 'no-cache' });
    if (r.ok && (r.headers.get('content-type') ?? '').includes('json')) {
      const cfg = (await r.json()) as { apiUrl?: unknown };
      if (typeof cfg.apiUrl === 'string' && cfg.apiUrl.trim() !== '') {
        return { apiUrl: cfg.apiUrl.trim().replace(/\/+$/, ''), source: 'config.json' };
      }
    }
  } catch {
    // No config.json: no live API. Not an error.
  }
  return { apiUrl: null, source: 'none' };
}

export const LIVE_ENDPOINTS = ['/health', '/models/status'] as const;

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const r = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return await r.json();
  } finally {
    clearTimeout(timer);
  }
}

export async function fetchLive(apiUrl: string, timeoutMs = 4000): Promise<LiveResult> {
  const endpoints = await Promise.all(
    LIVE_ENDPOINTS.map(async (path) => {
      const t0 = performance.now();
      try {
        const body = await getJson(`${apiUrl}${path}`, timeoutMs);
        return { path, ok: true, body, error: null, ms: performance.now() - t0 };
      } catch (error) {
        const message =
          (error as Error).name === 'AbortError'
            ? `no answer within ${timeoutMs / 1000} s`
            : (error as Error).message;
        return { path, ok: false, body: null, error: message, ms: performance.now() - t0 };
      }
    }),
  );
  return { ok: endpoints.every((e) => e.ok), endpoints };
}

/** Flattens a JSON body into "a.b.c" → value pairs for a definition list (first `limit`). */
export function flatten(value: unknown, limit = 16, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, key: string) => {
    if (out.length >= limit) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
    } else if (Array.isArray(v)) {
      out.push([
        key,
        v.length <= 4 && v.every((x) => typeof x !== 'object') ? v.join(', ') : `${v.length} items`,
      ]);
    } else {
      out.push([key, String(v)]);
    }
  };
  walk(value, prefix);
  return out;
}
