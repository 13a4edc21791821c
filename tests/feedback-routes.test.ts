import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDriftConfig } from '../config/drift';
import { importFeedback } from '../pipeline/monitor/feedback';
import { loadPerformance } from '../pipeline/monitor/performance';
import { textHash } from '../pipeline/monitor/text';
import type { Db } from '../pipeline/store/db';
import { feedbackRoutes, tokenAuthenticator } from '../serving/routes/feedback';
import { logPredictions } from './fixtures/monitor/log';
import { synthetic } from './fixtures/monitor/synthetic';
import { dbTargets } from './helpers/db';

const ADMIN = 'admin-secret-1';
const FEEDBACK = 'feedback-secret-2';
const from = new Date('2026-03-01T00:00:00Z');
const to = new Date('2026-03-01T12:00:00Z');
const rows = synthetic({ n: 200, seed: 31 });

describe.each(dbTargets())('POST /feedback on $name', (target) => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await target.open();
    await logPredictions(db, rows, { from, to, prefix: 'p', version: '1.0.0' });
    app = Fastify();
    await app.register(feedbackRoutes, {
      db,
      authenticate: tokenAuthenticator({ adminToken: ADMIN, feedbackToken: FEEDBACK }),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const post = (payload: unknown, token?: string) =>
    app.inject({
      method: 'POST',
      url: '/feedback',
      payload: payload as Record<string, unknown>,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('refuses callers without the admin or feedback token, before looking at the body', async () => {
    for (const token of [undefined, 'wrong', `${FEEDBACK}x`]) {
      const res = await post({ prediction_id: 'p-0', label: 'positive' }, token);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
  });

  it('labels a logged prediction, and a second label corrects it instead of counting twice', async () => {
    const first = await post({ prediction_id: 'p-1', label: 'negative' }, FEEDBACK);
    expect(first.statusCode).toBe(201);
    expect(first.json().feedback).toMatchObject({
      prediction_id: 'p-1',
      label: 'negative',
      created: true,
      matched_predictions: 1,
    });
    const again = await post({ prediction_id: 'p-1', label: 'positive' }, ADMIN);
    expect(again.statusCode).toBe(200);
    expect(again.json().feedback.created).toBe(false);
    const stored = await db.query<{ label: string; submitted_by: string }>(
      "SELECT label, submitted_by FROM feedback WHERE prediction_id = 'p-1'",
    );
    expect(stored).toEqual([{ label: 'positive', submitted_by: 'admin' }]);
  });

  it('labels a text and reports how many logged predictions it scores', async () => {
    const res = await post({ text: `  ${rows[5]!.text}  `, label: 'neutral' }, FEEDBACK);
    expect(res.statusCode).toBe(201);
    expect(res.json().feedback.text_hash).toBe(textHash(rows[5]!.text!));
    expect(res.json().feedback.matched_predictions).toBeGreaterThanOrEqual(1);
  });

  it('answers 404 for an unknown prediction id and 400 for bad bodies, in the error shape', async () => {
    const missing = await post({ prediction_id: 'nope', label: 'neutral' }, FEEDBACK);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toMatch(/no logged prediction has id "nope"/);
    const bad = [
      { prediction_id: 'p-2', label: 'bullish' },
      { label: 'positive' },
      { prediction_id: 'p-2', text: 'both', label: 'positive' },
      { prediction_id: 'p-2' },
    ];
    for (const body of bad) {
      const res = await post(body, FEEDBACK);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('INVALID_INPUT');
      expect(res.body).not.toMatch(/at .*\.ts/);
    }
    // The same wording as the prediction routes: the field in dotted form and the allowed labels.
    const label = await post({ prediction_id: 'p-2', label: 'bullish' }, FEEDBACK);
    expect(label.json().error.message).toMatch(
      /^body\.label must be one of "positive", "negative", "neutral": send/,
    );
  });

  it('turns feedback into rolling accuracy and macro-F1 for the version that served', async () => {
    await db.exec('DELETE FROM feedback');
    // Label 100 predictions: the first 80 with the model's own label, 20 with another one.
    for (let i = 0; i < 100; i++) {
      const truth = i < 80 ? rows[i]!.label : rows[i]!.label === 'neutral' ? 'positive' : 'neutral';
      const res = await post({ prediction_id: `p-${i}`, label: truth }, FEEDBACK);
      expect(res.statusCode).toBe(201);
    }
    const config = loadDriftConfig();
    const [perf] = await loadPerformance(
      db,
      { model: 'vader', from, to },
      { from: new Date('2000-01-01'), to: new Date(Date.now() + 86_400_000) },
      config,
    );
    expect(perf?.version).toBe('1.0.0');
    expect(perf?.feedback?.n).toBe(100);
    expect(perf?.feedback?.accuracy).toBeCloseTo(0.8, 12);
    expect(perf?.feedback?.macroF1).toBeGreaterThan(0.5);
    expect(perf?.predictions).toBe(200);
  });

  it('imports a labelled dataset as feedback that scores every logged prediction of its texts', async () => {
    await db.exec('DELETE FROM feedback');
    const labelled = rows.slice(0, 60).map((r) => ({ text: r.text!, label: r.label }));
    expect(await importFeedback(db, [...labelled, ...labelled], 'golden')).toBe(
      new Set(labelled.map((l) => l.text)).size,
    );
    const [perf] = await loadPerformance(
      db,
      { model: 'vader', from, to },
      { from: new Date('2000-01-01'), to: new Date(Date.now() + 86_400_000) },
      loadDriftConfig(),
    );
    expect(perf?.feedback?.accuracy).toBe(1);
  });
});
