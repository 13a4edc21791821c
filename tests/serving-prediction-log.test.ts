import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PredictionLog, type PredictionLogEvent } from '../pipeline/predictions/log';
import { normaliseText, type PredictionRecord, textHash } from '../pipeline/predictions/record';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { type DbTarget, dbTargets } from './helpers/db';
import { testApp } from './helpers/serving-fakes';

const record = (id: string): PredictionRecord => ({
  id,
  createdAt: new Date(),
  model: 'vader',
  version: '1.0.0',
  arm: 'default',
  shadow: false,
  label: 'positive',
  sentiment: 0.6,
  confidence: 0.7,
  scores: { positive: 0.7, negative: 0.1, neutral: 0.2 },
  latencyMs: 0.4,
  cacheHit: false,
  ticker: null,
  textHash: textHash(id),
  textLength: id.length,
  text: id,
});

/** A store that can really go away and come back: PGlite closed and reopened, Postgres behind a TCP proxy that drops. */
interface Outage {
  db: Db;
  down(): Promise<void>;
  up(): Promise<void>;
  rows(): Promise<number>;
  close(): Promise<void>;
}

async function pgliteOutage(): Promise<Outage> {
  const dir = await mkdtemp(path.join(tmpdir(), 'finsent-log-'));
  const open = async () => {
    const d = await openDb({ dataDir: path.join(dir, 'pglite') });
    await migrate(d);
    return d;
  };
  let current = await open();
  const db: Db = {
    kind: 'pglite',
    query: (text, params) => current.query(text, params),
    exec: (sql) => current.exec(sql),
    transaction: (fn) => current.transaction(fn),
    close: () => current.close(),
  };
  return {
    db,
    down: () => current.close(),
    up: async () => {
      current = await open();
    },
    rows: async () =>
      (await current.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions'))[0]!.n,
    close: async () => {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresOutage(target: DbTarget): Promise<Outage> {
  const direct = await target.open();
  const [{ schema }] = (await direct.query<{ schema: string }>('SELECT current_schema() AS schema')) as [
    { schema: string },
  ];
  const upstream = new URL(process.env.DATABASE_URL!);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as net.AddressInfo).port;
  const viaProxy = new URL(upstream);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(port);
  const db = await openDb({ databaseUrl: viaProxy.toString(), schema, max: 2 });
  return {
    db,
    down: async () => {
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    up: () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve)),
    rows: async () => (await direct.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions'))[0]!.n,
    close: async () => {
      await db.close().catch(() => {});
      proxy.close();
      for (const s of sockets) s.destroy();
      await direct.close();
    },
  };
}

describe.each(dbTargets())('prediction log on $name', (target) => {
  let outage: Outage;
  beforeAll(async () => {
    outage = target.name === 'pglite' ? await pgliteOutage() : await postgresOutage(target);
  });
  afterAll(() => outage.close());

  it('buffers through a real store outage and writes everything once the store is back', async () => {
    const events: PredictionLogEvent[] = [];
    const log = new PredictionLog(outage.db, { flushIntervalMs: 60_000, onEvent: (e) => events.push(e) });
    const base = await outage.rows();
    for (let i = 0; i < 5; i++) log.add(record(`before-${i}`));
    expect(await log.flush()).toBe(true);
    expect(await outage.rows()).toBe(base + 5);

    await outage.down();
    for (let i = 0; i < 7; i++) log.add(record(`during-${i}`));
    expect(await log.flush()).toBe(false);
    for (let i = 0; i < 3; i++) log.add(record(`later-${i}`));
    expect(log.stats()).toMatchObject({ buffered: 10, dropped: 0, outageSince: expect.any(String) });
    expect(events.map((e) => e.type)).toEqual(['flush-failed']);

    await outage.up();
    expect(await log.flush()).toBe(true);
    expect(await outage.rows()).toBe(base + 15);
    expect(log.stats()).toMatchObject({ buffered: 0, written: 15, outageSince: null, lastError: null });
    expect(events.at(-1)).toMatchObject({ type: 'recovered', droppedDuringOutage: 0 });

    // A batch re-sent after a lost acknowledgement is not written twice.
    log.add(record('before-0'));
    await log.flush();
    expect(await outage.rows()).toBe(base + 15);
    await log.stop();
  });

  it('drops beyond its bound during an outage, and says how many', async () => {
    const events: PredictionLogEvent[] = [];
    const log = new PredictionLog(outage.db, {
      flushIntervalMs: 25,
      maxBackoffMs: 100,
      maxBuffered: 4,
      onEvent: (e) => events.push(e),
    });
    const base = await outage.rows();
    await outage.down();
    for (let i = 0; i < 10; i++) log.add(record(`bounded-${i}`));
    expect(log.stats()).toMatchObject({ buffered: 4, dropped: 6 });
    // First drop reported at once; the rest are summarised (here at stop).
    expect(events.filter((e) => e.type === 'dropped')[0]).toMatchObject({ dropped: 1, maxBuffered: 4 });
    await outage.up();
    // The log's own timer retries with back-off; a client may need one failed query to notice
    // its old connection died (postgres.js: CONNECTION_CLOSED), the retry then reconnects.
    log.start();
    await vi.waitFor(async () => expect(await outage.rows()).toBe(base + 4), {
      timeout: 10_000,
      interval: 50,
    });
    await log.stop();
    const reported = events
      .flatMap((e) => (e.type === 'dropped' ? [e.dropped] : []))
      .reduce((a, b) => a + b, 0);
    expect(reported).toBe(6);
  });
});

describe('the API writes its predictions to the log', () => {
  let db: Db;
  beforeAll(async () => {
    db = await dbTargets()[0]!.open();
  });
  afterAll(() => db.close());

  it('logs served, compared and shadow predictions with model, version, arm, scores, cache hit and text hash', async () => {
    const { app } = await testApp({
      db,
      config: { shadow: ['finbert'] },
      predictionLog: { flushIntervalMs: 60_000 },
    });
    try {
      const res = (
        await app.inject({
          method: 'POST',
          url: '/predict',
          payload: { text: '  Shares   jump on record sales ', ticker: 'aapl' },
        })
      ).json();
      await app.inject({ method: 'POST', url: '/predict/compare', payload: { text: 'Profit falls' } });
      await app.shadow.drain();
      await app.predictionLog!.flush();
      const rows = await db.query<Record<string, unknown>>('SELECT * FROM predictions ORDER BY model, arm');
      const served = rows.find((r) => r.id === res.prediction_id)!;
      const normalised = normaliseText('  Shares   jump on record sales ');
      expect(served).toMatchObject({
        model: 'vader',
        version: '1.0.0',
        arm: 'default',
        shadow: false,
        label: 'positive',
        score_positive: 0.8,
        score_negative: 0.05,
        score_neutral: 0.15,
        cache_hit: false,
        ticker: 'aapl',
        text_hash: textHash(normalised),
        text_length: normalised.length,
        text: normalised,
      });
      expect(served.latency_ms).toBeGreaterThan(0);
      expect(rows.map((r) => `${r.model}/${r.arm}/${r.shadow}`).sort()).toEqual([
        'finbert/compare/false',
        'finbert/shadow/true',
        'vader/compare/false',
        'vader/default/false',
      ]);
    } finally {
      await app.close();
    }
  });

  it('keeps texts out of the log when told to', async () => {
    const { app } = await testApp({ db, logText: false });
    try {
      const res = (
        await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Confidential merger talks' } })
      ).json();
      await app.predictionLog!.flush();
      const [row] = await db.query<{ text: string | null; text_length: number }>(
        'SELECT text, text_length FROM predictions WHERE id = $1',
        [res.prediction_id],
      );
      expect(row).toEqual({ text: null, text_length: 'Confidential merger talks'.length });
    } finally {
      await app.close();
    }
  });

  it('flushes what is buffered when the app closes', async () => {
    const { app } = await testApp({ db, predictionLog: { flushIntervalMs: 60_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await app.inject({ method: 'POST', url: '/predict', payload: { text: `Close flush ${i}` } })).json()
          .prediction_id,
      );
    }
    const count = async () =>
      (
        await db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions WHERE id = ANY($1)', [ids])
      )[0]!.n;
    expect(await count()).toBe(0);
    await app.close();
    expect(await count()).toBe(3);
  });

  it('never makes a response wait on the store, and counts and logs what it had to drop', async () => {
    const hung: Db = { ...db, query: () => new Promise(() => {}) };
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { app } = await testApp({
      db: hung,
      logger: { level: 'warn', stream },
      predictionLog: { flushIntervalMs: 60_000, maxBuffered: 2, stopTimeoutMs: 50 },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/predict',
          payload: { text: `Store is hung ${i}` },
        });
        expect(res.statusCode).toBe(200);
      }
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/finsent_prediction_log_dropped_total 1\b/);
      expect(metrics).toMatch(/finsent_prediction_log_queue_depth 2\b/);
    } finally {
      await app.close();
    }
    const dropLines = lines.map((l) => JSON.parse(l)).filter((l) => /prediction log buffer full/.test(l.msg));
    expect(dropLines.reduce((n, l) => n + l.dropped, 0)).toBe(3);
    expect(lines.some((l) => /2 predictions were not logged at shutdown/.test(l))).toBe(true);
  });
});
