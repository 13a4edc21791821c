import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardServer,
  DIST_DIR,
  needsBuild,
  serveDashboard,
  startDashboardServer,
} from '../dashboard/serve';
import { REPO_ROOT } from '../lib/paths';

let dir: string;
let dist: string;
let data: string;
let api: http.Server;
let apiUrl: string;
let server: DashboardServer;
const seen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-dash-'));
  dist = path.join(dir, 'dist');
  data = path.join(dir, 'data');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  mkdirSync(path.join(dist, 'data'), { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>finsent</title>');
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(dist, 'data', 'overview.json'), '{"from":"build"}');
  writeFileSync(path.join(dist, 'data', 'drift.json'), '{"from":"build"}');
  writeFileSync(path.join(data, 'overview.json'), '{"from":"export"}');
  writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  // A stand-in for the finsent API on loopback.
  api = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'ok', path: req.url }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  server = await startDashboardServer({ distDir: dist, dataDir: data, apiUrl });
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => api?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard static server', () => {
  it('listens on loopback on a free port and serves the built page without caching it', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(server.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(await r.text()).toContain('<title>finsent</title>');
  });

  it('caches hashed assets for a year and data files briefly, like vercel.json', async () => {
    const asset = await fetch(`${server.url}assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const json = await fetch(`${server.url}data/overview.json`);
    expect(json.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=600');
  });

  it('serves data from the export folder first and from the build as a fallback', async () => {
    expect(await (await fetch(`${server.url}data/overview.json`)).json()).toEqual({ from: 'export' });
    expect(await (await fetch(`${server.url}data/drift.json`)).json()).toEqual({ from: 'build' });
    expect((await fetch(`${server.url}data/quality.json`)).status).toBe(404);
  });

  it('refuses paths outside its folders and methods other than GET and HEAD', async () => {
    for (const p of ['../secret.txt', '%2e%2e/secret.txt', 'data/..%2F..%2Fsecret.txt']) {
      const r = await fetch(`${server.url}${p}`);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain('do not serve');
    }
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('points config.json at /api and proxies /api/* to the configured API, like the Vercel rewrite', async () => {
    expect(await (await fetch(`${server.url}config.json`)).json()).toEqual({ apiUrl: '/api' });
    const r = await fetch(`${server.url}api/models/status?verbose=1`);
    expect(await r.json()).toEqual({ status: 'ok', path: '/models/status?verbose=1' });
    expect(seen).toContain('GET /models/status?verbose=1');
  });

  it('answers 502 with a JSON error when the API is down', async () => {
    const down = await startDashboardServer({ distDir: dist, dataDir: data, apiUrl: 'http://127.0.0.1:9' });
    try {
      const r = await fetch(`${down.url}api/health`);
      expect(r.status).toBe(502);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('BAD_GATEWAY');
    } finally {
      await down.close();
    }
  });

  it('rejects an API address that is not plain http', async () => {
    await expect(startDashboardServer({ distDir: dist, apiUrl: 'ftp://example.com' })).rejects.toThrow(
      /http:\/\//,
    );
  });

  it('serveDashboard prints its URL and does not rebuild a current build', async () => {
    // The fake dist is newer than every source, so no build runs.
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(path.join(dist, 'index.html'), future, future);
    expect(needsBuild(dist)).toBe(false);
    let text = '';
    const s = await serveDashboard(
      { out: { write: (t: string) => (text += t) } },
      { distDir: dist, dataDir: data },
    );
    try {
      expect(text).toBe(`dashboard: ${s.url}\n`);
      expect((await fetch(s.url)).status).toBe(200);
    } finally {
      await s.close();
    }
    expect(needsBuild(path.join(dir, 'nowhere'))).toBe(true);
  });
});

describe('vercel.json', () => {
  const vercel = JSON.parse(readFileSync(path.join(REPO_ROOT, 'vercel.json'), 'utf8')) as {
    buildCommand: string;
    outputDirectory: string;
    headers: { source: string; headers: { key: string; value: string }[] }[];
    rewrites: { source: string; destination: string }[];
  };
  const cacheOf = (source: string) =>
    vercel.headers.find((h) => h.source === source)?.headers.find((x) => x.key === 'Cache-Control')?.value;

  it('builds the exported data into the site and deploys the folder the local server serves', () => {
    expect(vercel.buildCommand).toBe('node bin/finsent.js export && npm run dashboard:build');
    expect(path.join(REPO_ROOT, vercel.outputDirectory)).toBe(DIST_DIR);
  });

  it('caches data files and hashed assets exactly as the local server does', async () => {
    expect(cacheOf('/data/(.*)')).toBe(
      (await fetch(`${server.url}data/overview.json`)).headers.get('cache-control'),
    );
    expect(cacheOf('/assets/(.*)')).toBe(
      (await fetch(`${server.url}assets/index-abc123.js`)).headers.get('cache-control'),
    );
  });

  it('rewrites /api/* to the API host (a placeholder each deployment sets)', () => {
    expect(vercel.rewrites).toEqual([
      { source: '/api/(.*)', destination: 'https://finsent-api.example.com/$1' },
    ]);
  });
});
