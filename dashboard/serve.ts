import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, describeError } from '../lib/errors';
import { DEFAULT_EXPORT_DIR } from '../pipeline/export/index';
import type { JobContext } from '../pipeline/main-job';

export const DASHBOARD_DIR = path.dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = path.join(DASHBOARD_DIR, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The newest modification time under `dir` (sources of the site), 0 when it does not exist. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether dist/ is missing or older than the site's sources (src/, index.html, the schema). */
export function needsBuild(distDir: string = DIST_DIR): boolean {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(DASHBOARD_DIR, 'src')),
    statSync(path.join(DASHBOARD_DIR, 'index.html')).mtimeMs,
    statSync(path.join(DASHBOARD_DIR, '..', 'pipeline', 'export', 'schema.ts')).mtimeMs,
  );
  return sources > built;
}

/**
 * Builds the site with Vite's JS API (the same config as `npm run dashboard:build`). Vite is a
 * dev dependency: without it (a production-only install) this says how to build elsewhere.
 */
export async function buildDashboard(outDir: string = DIST_DIR): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch (error) {
    throw new ConfigError(
      `cannot build the dashboard: vite is not installed (${describeError(error)}); run \`npm install\` (dev dependencies included) or \`npm run dashboard:build\` where it is`,
      { action: 'building the dashboard' },
    );
  }
  await vite.build({
    configFile: path.join(DASHBOARD_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
  });
}

export interface DashboardServerOptions {
  /** The built site. Default dashboard/dist. */
  distDir?: string;
  /** Where `/data/*.json` come from first (fresh exports); dist/data is the fallback. */
  dataDir?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The finsent API: `/api/*` is proxied to it (like the Vercel rewrite) and config.json points there. */
  apiUrl?: string;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function inside(root: string, urlPath: string): string | null {
  const file = path.resolve(root, `.${path.posix.normalize(`/${urlPath}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function sendFile(res: http.ServerResponse, file: string, head: boolean, cache: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  });
  if (head) res.end();
  else createReadStream(file).pipe(res);
  return true;
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, apiUrl: string, rest: string): void {
  const target = new URL(rest, `${apiUrl.replace(/\/+$/, '')}/`);
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host }, timeout: 10_000 },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'BAD_GATEWAY', message: `the API at ${apiUrl} did not answer: ${error.message}` },
      }),
    );
  });
  req.pipe(upstream);
}

/**
 * Serves the built dashboard with the same caching as vercel.json: hashed assets immutable,
 * data files revalidated. Plain node:http, loopback by default.
 *
 * @example const server = await startDashboardServer({ port: 0 }); server.url // "http://127.0.0.1:41733/"
 */
export async function startDashboardServer(options: DashboardServerOptions = {}): Promise<DashboardServer> {
  const dist = path.resolve(options.distDir ?? DIST_DIR);
  const data = path.resolve(options.dataDir ?? DEFAULT_EXPORT_DIR);
  const apiUrl = options.apiUrl;
  if (apiUrl && !/^http:\/\//.test(apiUrl)) {
    throw new ConfigError(`the dashboard proxies only to an http:// API on this machine, got "${apiUrl}"`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = decodeURIComponent(url.pathname);
    if (apiUrl && (pathname === '/api' || pathname.startsWith('/api/'))) {
      proxy(req, res, apiUrl, `${pathname.slice(5)}${url.search}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const head = req.method === 'HEAD';
    if (pathname === '/config.json' && apiUrl) {
      res.writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-cache' });
      res.end(head ? undefined : JSON.stringify({ apiUrl: '/api' }));
      return;
    }
    if (pathname.startsWith('/data/')) {
      const cache = 'public, max-age=60, stale-while-revalidate=600';
      const fresh = inside(data, pathname.slice('/data/'.length));
      if (fresh && sendFile(res, fresh, head, cache)) return;
    }
    const file = inside(dist, pathname === '/' ? '/index.html' : pathname);
    const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (file && sendFile(res, file, head, cache)) return;
    res
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(head ? undefined : `not found: ${pathname}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The main job's last stage calls this next to the API: builds the site if dist/ is missing or
 * stale, serves it with the freshest exported data, and prints where.
 *
 * @example const dash = await serveDashboard(ctx, { port: 5174, apiUrl: 'http://127.0.0.1:3000' });
 */
export async function serveDashboard(
  ctx: Pick<JobContext, 'out'>,
  options: DashboardServerOptions & { build?: boolean } = {},
): Promise<DashboardServer> {
  const dist = options.distDir ?? DIST_DIR;
  if (options.build !== false && needsBuild(dist)) {
    ctx.out.write('building the dashboard (vite)…\n');
    await buildDashboard(dist);
  }
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new ConfigError(
      `the dashboard is not built (${dist} has no index.html): run \`npm run dashboard:build\``,
    );
  }
  const server = await startDashboardServer(options);
  ctx.out.write(`dashboard: ${server.url}${options.apiUrl ? ` (API proxied at ${server.url}api/)` : ''}\n`);
  return server;
}
