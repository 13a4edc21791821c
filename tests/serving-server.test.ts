import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../lib/errors';
import { MemoryCache } from '../pipeline/cache/memory';
import type { Db } from '../pipeline/store/db';
import { main } from '../scripts/cli/program';
import { staticConfigSource } from '../serving/pool/watch';
import { startServer } from '../serving/server';
import { readServingSettings } from '../serving/settings';
import { dbTargets } from './helpers/db';
import { configText, fakeFamily, registryOf } from './helpers/serving-fakes';

describe('startServer', () => {
  let db: Db;
  beforeAll(async () => {
    db = await dbTargets()[0]!.open();
  });
  afterAll(() => db.close());

  it('serves on localhost, prints the URL and a curl example, and on SIGTERM finishes in-flight work and flushes the log', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const lines: string[] = [];
    const before = process.listeners('SIGTERM');
    const server = await startServer({
      env: { dataDir: '.finsent-test' },
      families: registryOf(vader, fakeFamily({ name: 'finbert' })),
      db,
      cache: new MemoryCache(),
      port: 0,
      print: (l) => lines.push(l),
      app: {
        configSource: staticConfigSource(configText()),
        configPollMs: 0,
        logger: false,
        underPressure: false,
        predictionLog: { flushIntervalMs: 60_000 },
      },
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toBe(`finsent API on ${server.url}`);
    expect(lines.join('\n')).toContain(
      `curl -s -X POST ${server.url}/predict -H 'content-type: application/json'`,
    );
    expect(lines.join('\n')).toContain('models:  vader@1.0.0, finbert@1.0.0');

    const model = vader.loaded[0]!;
    let open!: () => void;
    model.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const inFlight = fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Shares jump during shutdown' }),
    });
    await vi.waitFor(() => expect(model.inFlight).toBe(1));

    // Deliver SIGTERM to the server's handler alone (not to the test runner's own handlers).
    const ours = process.listeners('SIGTERM').filter((l) => !before.includes(l));
    expect(ours).toHaveLength(1);
    ours[0]!('SIGTERM');
    await vi.waitFor(() => expect(server.app.server.listening).toBe(false));
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();

    open();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { prediction_id: string };
    await server.closed;
    const rows = await db.query('SELECT id FROM predictions WHERE id = $1', [body.prediction_id]);
    expect(rows).toHaveLength(1);
    expect(model.closed).toBe(true);
    expect(process.listeners('SIGTERM')).toEqual(before);
    expect(lines).toContain('finsent: SIGTERM received, shutting down (Ctrl-C again to force)');
  });

  it('refuses a port in use with a message that says what to do', async () => {
    const first = await startServer({
      env: { dataDir: '.finsent-test' },
      families: registryOf(fakeFamily({ name: 'vader' }), fakeFamily({ name: 'finbert' })),
      db,
      cache: new MemoryCache(),
      port: 0,
      print: () => {},
      handleSignals: false,
      app: { configSource: staticConfigSource(configText()), configPollMs: 0, logger: false },
    });
    try {
      const port = Number(new URL(first.url).port);
      await expect(
        startServer({
          env: { dataDir: '.finsent-test' },
          families: registryOf(fakeFamily({ name: 'vader' }), fakeFamily({ name: 'finbert' })),
          db,
          cache: new MemoryCache(),
          port,
          print: () => {},
          handleSignals: false,
          app: { configSource: staticConfigSource(configText()), configPollMs: 0, logger: false },
        }),
      ).rejects.toThrow(`port ${port} is already in use: stop the other server or pass --port`);
    } finally {
      await first.close();
    }
  });
});

describe('serving settings from the environment', () => {
  it('reads limits, CORS origins, rate limit, polling and log policy', () => {
    const s = readServingSettings({
      FINSENT_CORS_ORIGINS: 'https://finsent.vercel.app, http://localhost:5173',
      FINSENT_MAX_BATCH: '32',
      FINSENT_MAX_TEXT_LENGTH: '1000',
      FINSENT_RATE_LIMIT: '0',
      FINSENT_CONFIG_POLL_MS: '5000',
      FINSENT_LOG_TEXT: '0',
      FINSENT_TRUST_PROXY: 'true',
      FINSENT_HOST: '0.0.0.0',
      FINSENT_SERVE_FAMILIES: 'vader-base, vader',
    });
    expect(s.host).toBe('0.0.0.0');
    expect(s.app).toMatchObject({
      corsOrigins: ['https://finsent.vercel.app', 'http://localhost:5173'],
      limits: { maxBatch: 32, maxTextLength: 1000 },
      rateLimit: false,
      configPollMs: 5000,
      logText: false,
      trustProxy: true,
      serveFamilies: ['vader-base', 'vader'],
    });
    expect(readServingSettings({}).host).toBe('127.0.0.1');
    // The embedded store runs off the event loop unless asked otherwise (ADR 066).
    expect(readServingSettings({}).pgliteThread).toBe('worker');
    expect(readServingSettings({ FINSENT_PGLITE_THREAD: 'main' }).pgliteThread).toBe('main');
  });

  it('names the variable and the fix when a value is wrong', () => {
    expect(() => readServingSettings({ FINSENT_MAX_BATCH: 'lots' })).toThrow(ConfigError);
    expect(() => readServingSettings({ FINSENT_MAX_BATCH: 'lots' })).toThrow(
      /FINSENT_MAX_BATCH must be a whole number/,
    );
    expect(() => readServingSettings({ FINSENT_MAX_BATCH: '0' })).toThrow(/between 1 and 1024/);
    expect(() => readServingSettings({ FINSENT_CORS_ORIGINS: 'https://a.example.com/' })).toThrow(
      /no path, no trailing slash/,
    );
    expect(() => readServingSettings({ FINSENT_LOG_TEXT: 'maybe' })).toThrow(
      /FINSENT_LOG_TEXT must be 1\/0 or true\/false/,
    );
    expect(() => readServingSettings({ FINSENT_PGLITE_THREAD: 'thread' })).toThrow(
      /FINSENT_PGLITE_THREAD must be main or worker/,
    );
  });
});

describe('finsent serve', () => {
  it('rejects a port that is not a number with exit code 2', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['node', 'finsent', 'serve', '--port', 'eighty']);
      expect(process.exitCode).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('--port eighty is not a number');
    } finally {
      stderr.mockRestore();
      process.exitCode = 0;
    }
  });
});
