import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAudit } from '../pipeline/predictions/audit';
import type { Db } from '../pipeline/store/db';
import { tokenFingerprint, tokensEqual } from '../serving/admin';
import { dbTargets } from './helpers/db';
import { fakeFamily, registryOf, testApp } from './helpers/serving-fakes';

const TOKEN = 's3cret-admin-token-with-enough-entropy';
const select = (app: FastifyInstance, headers: { authorization?: string }, model = 'vader@1.1.0') =>
  app.inject({
    method: 'POST',
    url: '/models/select',
    headers: headers as Record<string, string>,
    payload: { model, reason: 'test' },
  });

describe('admin routes', () => {
  let db: Db;
  let app: FastifyInstance;
  const lines: string[] = [];
  beforeAll(async () => {
    db = await dbTargets()[0]!.open();
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    ({ app } = await testApp({ db, adminToken: TOKEN, logger: { level: 'info', stream } }));
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('answers 401 with WWW-Authenticate when the token is missing or not a Bearer token', async () => {
    for (const headers of [
      {},
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer' },
    ]) {
      const res = await select(app, headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="finsent-admin"');
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers 403 to a wrong token, whatever its length', async () => {
    for (const wrong of ['x', `${TOKEN}x`, TOKEN.toUpperCase()]) {
      const res = await select(app, { authorization: `Bearer ${wrong}` });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: { code: 'FORBIDDEN', message: 'the admin token is not valid for this server' },
      });
    }
  });

  it('accepts the right token and records every admin action, refused ones included, in audit_log', async () => {
    const res = await select(app, { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    const audit = await recentAudit(db, 20);
    expect(audit[0]).toMatchObject({
      actor: `admin:${tokenFingerprint(TOKEN)}`,
      action: 'models.select',
      target: 'vader@1.1.0',
      outcome: 'ok',
      requestId: res.headers['x-request-id'],
      details: { version: '1.1.0', previous: '1.0.0', reason: 'test' },
    });
    const denied = audit.filter((a) => a.outcome === 'denied');
    expect(denied.length).toBeGreaterThanOrEqual(6);
    expect(denied.map((d) => d.details.reason)).toEqual(
      expect.arrayContaining(['missing token', 'malformed header', 'wrong token']),
    );
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  it('audits a failed selection as failed', async () => {
    const res = await select(app, { authorization: `Bearer ${TOKEN}` }, 'vader@latest');
    expect(res.statusCode).toBe(400);
    const res2 = await app.inject({
      method: 'POST',
      url: '/models/select',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { model: 'gpt@1.0.0' },
    });
    expect(res2.statusCode).toBe(400);
    const [last] = await recentAudit(db, 1);
    expect(last).toMatchObject({ action: 'models.select', target: 'gpt@1.0.0', outcome: 'failed' });
  });

  it('refuses malformed and mistyped select bodies with 400, after authentication', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const bad = [
      ['{"model": ', 'INVALID_JSON'],
      ['{"model": 5}', 'INVALID_INPUT'],
      ['{}', 'INVALID_INPUT'],
      [`{"model": "vader", "reason": "${'x'.repeat(501)}"}`, 'INVALID_INPUT'],
    ] as const;
    for (const [payload, code] of bad) {
      const res = await app.inject({ method: 'POST', url: '/models/select', headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe(code);
      // Without the token the same bodies are never parsed: the answer is 401.
      const stranger = await app.inject({
        method: 'POST',
        url: '/models/select',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(stranger.statusCode).toBe(401);
    }
  });

  it('never writes the token to the logs', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(TOKEN);
  });

  it('compares tokens in constant time over their hashes', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual('', TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}\u0000`, TOKEN)).toBe(false);
  });
});

describe('admin routes without a configured token', () => {
  it('are disabled with a 503 that says how to enable them, whatever the client sends', async () => {
    const { app } = await testApp({ adminToken: undefined, env: { dataDir: '.finsent-test' } });
    try {
      for (const headers of [{}, { authorization: 'Bearer anything' }]) {
        const res = await select(app, headers);
        expect(res.statusCode).toBe(503);
        expect(res.json().error).toEqual({
          code: 'ADMIN_DISABLED',
          message:
            'admin routes are disabled on this server: set FINSENT_ADMIN_TOKEN and restart to enable them',
        });
      }
    } finally {
      await app.close();
    }
  });
});

describe('rate limiting, CORS and security headers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await testApp({
      adminToken: TOKEN,
      rateLimit: { max: 3, timeWindowMs: 60_000, adminMax: 1 },
      corsOrigins: ['https://dashboard.example.com'],
    }));
  });
  afterAll(() => app.close());

  it('answers 429 with Retry-After once a client exceeds the limit, but never limits /health', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<FastifyInstance['inject']>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await app.inject({
        method: 'POST',
        url: '/predict',
        payload: { text: 'Shares jump' },
        remoteAddress: '10.1.1.1',
      });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json().error).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('at most 3 per 1 minute'),
    });
    // Another client is not affected; probes are never limited.
    const other = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { text: 'a' },
      remoteAddress: '10.2.2.2',
    });
    expect(other.statusCode).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect(
        (await app.inject({ method: 'GET', url: '/health', remoteAddress: '10.1.1.1' })).statusCode,
      ).toBe(200);
    }
  });

  it('limits the admin routes more strictly', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/models/select',
      headers: { authorization: 'Bearer wrong' },
      payload: { model: 'vader' },
      remoteAddress: '10.3.3.3',
    });
    expect(first.statusCode).toBe(403);
    const second = await app.inject({
      method: 'POST',
      url: '/models/select',
      headers: { authorization: 'Bearer wrong' },
      payload: { model: 'vader' },
      remoteAddress: '10.3.3.3',
    });
    expect(second.statusCode).toBe(429);
  });

  it('allows only the configured origins', async () => {
    const allowed = await app.inject({
      method: 'OPTIONS',
      url: '/predict',
      headers: { origin: 'https://dashboard.example.com', 'access-control-request-method': 'POST' },
      remoteAddress: '10.4.4.4',
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.example.com');
    const denied = await app.inject({
      method: 'GET',
      url: '/models/status',
      headers: { origin: 'https://evil.example.net' },
      remoteAddress: '10.4.4.4',
    });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/models/status', remoteAddress: '10.5.5.5' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document and UI at /docs, with the admin route marked as secured', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json', remoteAddress: '10.6.6.6' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/predict',
        '/predict/vader',
        '/predict/finbert',
        '/predict/compare',
        '/models/status',
        '/models/performance',
        '/models/select',
        '/health',
        '/metrics',
      ]),
    );
    expect(spec.paths['/models/select'].post.security).toEqual([{ adminToken: [] }]);
    expect(spec.paths['/predict'].post.responses['400']).toBeDefined();
    const ui = await app.inject({ method: 'GET', url: '/docs/', remoteAddress: '10.6.6.6' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('overload protection', () => {
  // Thresholds far above what a busy CI machine shows on its own, far below what the burst causes.
  const underPressure = {
    maxEventLoopDelayMs: 150,
    maxEventLoopUtilization: 0,
    sampleIntervalMs: 100,
    retryAfterS: 7,
  };
  const predict = (app: FastifyInstance) =>
    app.inject({ method: 'POST', url: '/predict', payload: { text: 'Shares jump' } });

  it('sheds requests with 503 + Retry-After while the event loop is saturated, still answers /health, and recovers', async () => {
    const { app } = await testApp({ underPressure });
    try {
      // Keep the event loop saturated: 400 ms of synchronous work every 5 ms, as a CPU-bound burst would.
      const busy = () => {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          /* saturate */
        }
      };
      const hog = setInterval(busy, 5);
      let res: Awaited<ReturnType<typeof app.inject>>;
      let health: Awaited<ReturnType<typeof app.inject>>;
      try {
        await new Promise((r) => setTimeout(r, 250));
        res = await predict(app);
        health = await app.inject({ method: 'GET', url: '/health' });
      } finally {
        clearInterval(hog);
      }
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.json().error).toMatchObject({ code: 'OVERLOADED' });
      expect(health.statusCode).toBe(200);
      // Two quiet sample intervals later the delay reads normal again and requests are served.
      await new Promise((r) => setTimeout(r, 2 * underPressure.sampleIntervalMs + 50));
      expect((await predict(app)).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('does not count a slow model load at startup as overload', async () => {
    // 1.5 s of blocking load: measured from registration, it would read as a 1.5 s loop delay.
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0', blockLoadMs: 1500 });
    const finbert = fakeFamily({ name: 'finbert', builtin: '2.0.0' });
    // The production interval: a bad sample would stand for a whole second after `ready`.
    const { app } = await testApp({
      underPressure: { ...underPressure, sampleIntervalMs: 1000 },
      families: registryOf(vader, finbert),
    });
    try {
      expect((await predict(app)).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect((await predict(app)).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses a sample interval too short to measure', async () => {
    await expect(testApp({ underPressure: { ...underPressure, sampleIntervalMs: 10 } })).rejects.toThrow(
      /sampleIntervalMs is 10; use at least 100 ms/,
    );
  });
});
