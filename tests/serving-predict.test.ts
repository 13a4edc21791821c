import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../pipeline/cache/memory';
import { fakeFamily, registryOf, testApp } from './helpers/serving-fakes';

const LIMITS = { maxBatch: 4, maxTextLength: 40, bodyLimit: 4096 };

describe('prediction routes', () => {
  let app: FastifyInstance;
  let vader: Awaited<ReturnType<typeof testApp>>['vader'];
  const features = new Map<string, Record<string, number> | Error>([
    ['AAPL', { momentum_5d: 0.02, volume_z: 1.4, headline_count: 12 }],
    ['BOOM', new Error('connection refused by 10.0.0.5:5432')],
  ]);

  beforeAll(async () => {
    ({ app, vader } = await testApp({
      cache: new MemoryCache(),
      limits: LIMITS,
      features: async (ticker) => {
        const f = features.get(ticker);
        if (f instanceof Error) throw f;
        return f;
      },
    }));
  });
  afterAll(() => app.close());

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, payload: payload as object });
  /** A POST with a raw body, as a client that builds its own bytes sends it (JSON unless told). */
  const postRaw = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });

  it('answers one text with the contract shape, naming model, version and arm', async () => {
    const res = await post('/predict', { text: 'Apple shares surged after results' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['arm', 'performance', 'prediction', 'prediction_id']);
    expect(body.prediction).toEqual({
      label: 'positive',
      sentiment: 0.75,
      confidence: 0.8,
      price_direction: 'bullish',
      model_used: 'vader',
      features_count: 0,
      scores: { positive: 0.8, negative: 0.05, neutral: 0.15 },
    });
    expect(body.performance).toMatchObject({ model_version: '1.0.0', cache_hit: false });
    expect(body.performance.response_time_ms).toBeGreaterThanOrEqual(0);
    expect(body.arm).toBe('default');
    expect(res.headers['x-request-id']).toBe(body.prediction_id.replace(/\.0$/, ''));
  });

  it('answers a batch in order with one result per text', async () => {
    const res = await post('/predict', {
      texts: ['Profit warning as losses widen', 'Board meets on Tuesday', 'Revenue beats'],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.results.map((r: { prediction: { label: string } }) => r.prediction.label)).toEqual([
      'negative',
      'neutral',
      'positive',
    ]);
    expect(
      body.results.map((r: { prediction: { price_direction: string } }) => r.prediction.price_direction),
    ).toEqual(['bearish', 'neutral', 'bullish']);
    expect(body.performance).toMatchObject({ batch_size: 3, model_version: '1.0.0' });
    expect(new Set(body.results.map((r: { prediction_id: string }) => r.prediction_id)).size).toBe(3);
  });

  it('serves a repeated text from the cache, whitespace differences included, without calling the model', async () => {
    const first = await post('/predict', { text: 'Chip stock jumped on demand' });
    expect(first.json().performance.cache_hit).toBe(false);
    const calls = vader.loaded[0]!.calls;
    const again = await post('/predict', { text: '  Chip   stock jumped on demand ' });
    expect(again.json().performance.cache_hit).toBe(true);
    expect(again.json().prediction).toEqual(first.json().prediction);
    expect(vader.loaded[0]!.calls).toBe(calls);
  });

  it('routes /predict/vader and /predict/finbert to that family as the direct arm', async () => {
    const v = (await post('/predict/vader', { text: 'Shares fall' })).json();
    const f = (await post('/predict/finbert', { text: 'Shares fall' })).json();
    expect([v.prediction.model_used, v.performance.model_version, v.arm]).toEqual([
      'vader',
      '1.0.0',
      'direct',
    ]);
    expect([f.prediction.model_used, f.performance.model_version, f.arm]).toEqual([
      'finbert',
      '2.0.0',
      'direct',
    ]);
  });

  it('lets /predict name a served model explicitly, bypassing the A/B routing', async () => {
    const res = (await post('/predict', { text: 'Guidance raised', model: 'finbert' })).json();
    expect([res.prediction.model_used, res.arm]).toEqual(['finbert', 'direct']);
    // A pinned id that is the version a champion serves right now is that champion.
    const pinned = (await post('/predict', { text: 'Guidance raised', model: 'vader@1.0.0' })).json();
    expect([pinned.prediction.model_used, pinned.performance.model_version]).toEqual(['vader', '1.0.0']);
  });

  it('compares VADER and FinBERT on the same texts', async () => {
    const one = (await post('/predict/compare', { text: 'Dividend cut as profit falls' })).json();
    expect(one.arm).toBe('compare');
    expect(one.comparison).toMatchObject({
      vader_sentiment: -0.8,
      finbert_sentiment: -0.8,
      agreement: true,
      confidence_delta: 0,
      vader_version: '1.0.0',
      finbert_version: '2.0.0',
    });
    const batch = (await post('/predict/compare', { texts: ['Shares jump', 'Meeting on Friday'] })).json();
    expect(batch.results).toHaveLength(2);
    expect(batch.results[1].comparison.vader_label).toBe('neutral');
  });

  it("adds the ticker's stored features and counts them", async () => {
    const res = (await post('/predict', { text: 'Apple beats estimates', ticker: 'aapl' })).json();
    expect(res.ticker).toBe('AAPL');
    expect(res.prediction.features_count).toBe(3);
    expect(res.features).toEqual({ momentum_5d: 0.02, volume_z: 1.4, headline_count: 12 });
  });

  it('answers without features, with a warning and no internals, when the feature store fails or has none', async () => {
    const failing = (await post('/predict', { text: 'Apple beats estimates', ticker: 'BOOM' })).json();
    expect(failing.prediction.features_count).toBe(0);
    expect(failing.warnings).toEqual(['features for BOOM are unavailable right now']);
    expect(JSON.stringify(failing)).not.toContain('10.0.0.5');
    const missing = (await post('/predict', { text: 'Apple beats estimates', ticker: 'ZZZZ' })).json();
    expect(missing.warnings).toEqual(['no stored features for ZZZZ']);
  });

  const routes = ['/predict', '/predict/vader', '/predict/finbert', '/predict/compare'];
  const badBodies: [string, unknown, string, RegExp][] = [
    ['a number as text', { text: 5 }, 'INVALID_INPUT', /body\.text must be string/],
    ['a string as texts', { texts: 'one headline' }, 'INVALID_INPUT', /body\.texts must be array/],
    ['a number inside texts', { texts: ['fine', 7] }, 'INVALID_INPUT', /body\.texts\.1 must be string/],
    ['an empty text', { text: '' }, 'INVALID_INPUT', /fewer than 1 characters/],
    [
      'a whitespace-only text',
      { text: ' \n\t ' },
      'INVALID_INPUT',
      /text is empty once whitespace is removed/,
    ],
    ['an oversized text', { text: 'x'.repeat(41) }, 'INVALID_INPUT', /more than 40 characters/],
    ['an empty batch', { texts: [] }, 'INVALID_INPUT', /fewer than 1 items/],
    ['an oversized batch', { texts: ['a', 'b', 'c', 'd', 'e'] }, 'INVALID_INPUT', /more than 4 items/],
    ['both text and texts', { text: 'a', texts: ['b'] }, 'INVALID_INPUT', /not both/],
    ['neither text nor texts', { ticker: 'AAPL' }, 'INVALID_INPUT', /needs "text"/],
    ['an unknown property', { text: 'a', txt: 'b' }, 'INVALID_INPUT', /unknown property "txt"/],
    [
      'a malformed ticker',
      { text: 'a', ticker: 'AAPL; DROP TABLE' },
      'INVALID_INPUT',
      /body\.ticker must match/,
    ],
    ['a JSON array body', ['a'], 'INVALID_INPUT', /body must be object/],
  ];

  describe.each(routes)('%s refuses bad input', (url) => {
    it.each(badBodies)('%s → 400', async (_name, payload, code, message) => {
      const res = await post(url, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code, message: expect.stringMatching(message) } });
    });

    it('malformed JSON → 400 INVALID_JSON', async () => {
      const res = await postRaw(url, '{"text": "unterminated');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          code: 'INVALID_JSON',
          message: expect.stringMatching(/^the request body is not valid JSON/),
        },
      });
    });

    it('an empty JSON body → 400 INVALID_JSON', async () => {
      const res = await postRaw(url, '');
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_JSON');
    });

    it('a body that is not JSON → 415', async () => {
      const res = await postRaw(url, 'Apple beats', { 'content-type': 'text/plain' });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('a compressed body (content-encoding) → 415, identity is accepted', async () => {
      const send = (coding: string) =>
        postRaw(url, JSON.stringify({ text: 'Apple beats' }), { 'content-encoding': coding });
      const gzip = await send('gzip');
      expect(gzip.statusCode).toBe(415);
      expect(gzip.json()).toEqual({
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/"gzip".*uncompressed/) },
      });
      expect((await send('Identity')).statusCode).toBe(200);
    });

    it('a prototype-poisoning key → 400 INVALID_JSON that names such keys', async () => {
      const res = await postRaw(url, '{"text":"Apple beats","__proto__":{"admin":true}}');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'INVALID_JSON', message: expect.stringMatching(/"__proto__".*refused/) },
      });
    });

    it('a body over the size limit → 413', async () => {
      const res = await post(url, { texts: ['x'.repeat(3000), 'y'.repeat(3000)] });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('refuses an unknown model on /predict, listing the served ones', async () => {
    for (const model of ['gpt-5', 'vader@9.9.9']) {
      const res = await post('/predict', { text: 'Apple beats', model });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({
        code: 'UNKNOWN_MODEL',
        message: expect.stringContaining('choose one of vader, finbert'),
      });
    }
    const malformed = await post('/predict', { text: 'Apple beats', model: 'VADER!' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/body\.model must match/);
  });

  it('refuses the model field on the fixed-family routes', async () => {
    const res = await post('/predict/vader', { text: 'a', model: 'finbert' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/unknown property "model"/);
  });

  it('answers GET on a POST route and unknown paths with a 404 in the error shape', async () => {
    for (const [method, url] of [
      ['GET', '/predict'],
      ['POST', '/predict/bert'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: expect.stringContaining('see /docs') },
      });
    }
  });
});

describe('prediction routes when a model cannot serve', () => {
  it('answers 503 MODEL_UNAVAILABLE with the load error while the other family keeps serving', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const finbert = fakeFamily({
      name: 'finbert',
      builtin: '2.0.0',
      failLoad: { '2.0.0': 'FinBERT weights not found in FINBERT_MODEL_DIR=/models/finbert' },
    });
    const { app } = await testApp({ families: registryOf(vader, finbert) });
    try {
      const f = await app.inject({
        method: 'POST',
        url: '/predict/finbert',
        payload: { text: 'Apple beats' },
      });
      expect(f.statusCode).toBe(503);
      expect(f.json().error).toEqual({
        code: 'MODEL_UNAVAILABLE',
        message:
          'finbert is unavailable: its load failed: FinBERT weights not found in FINBERT_MODEL_DIR=/models/finbert',
      });
      const compare = await app.inject({
        method: 'POST',
        url: '/predict/compare',
        payload: { text: 'Apple beats' },
      });
      expect(compare.statusCode).toBe(503);
      const v = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Apple beats' } });
      expect(v.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('hides the message of an unexpected model failure behind a 500 INTERNAL', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const { app } = await testApp({ families: registryOf(vader, fakeFamily({ name: 'finbert' })) });
    try {
      vader.loaded[0]!.predict = async () => {
        throw new Error('ENOENT: /srv/secret/vader_lexicon.txt');
      };
      const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Apple beats' } });
      expect(res.statusCode).toBe(500);
      expect(res.json().error.code).toBe('INTERNAL');
      expect(res.body).not.toMatch(/secret|ENOENT|at .*\.ts/);
    } finally {
      await app.close();
    }
  });
});
