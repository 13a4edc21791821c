import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { configText, type FakeFamily, fakeFamily, registryOf, testApp } from './helpers/serving-fakes';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const families = (vader: string) => ({ vader: { champion: vader }, finbert: { champion: 'builtin' } });

let app: FastifyInstance | undefined;

/** POST /models/select with the admin token. */
const select = (target: FastifyInstance, payload: Record<string, unknown>) =>
  target.inject({ method: 'POST', url: '/models/select', headers: auth, payload });

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(vaderOptions: Partial<Parameters<typeof fakeFamily>[0]> = {}) {
  const vader = fakeFamily({ name: 'vader', builtin: '1.0.0', ...vaderOptions });
  const built = await testApp({
    families: registryOf(vader, fakeFamily({ name: 'finbert', builtin: '2.0.0' })),
    adminToken: TOKEN,
    config: { families: families('1.0.0') },
  });
  app = built.app;
  return { app: built.app, vader, source: built.source };
}

const modelsOf = (family: FakeFamily, version: string) => family.loaded.filter((m) => m.version === version);

describe('hot-swapping the champion', () => {
  it('swaps under hundreds of concurrent requests on a real port with zero failed requests', async () => {
    const { app, vader, source } = await setup({ delayMs: () => Math.random() * 3 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const TOTAL = 900;
    const CONCURRENCY = 200;
    const versions = new Map<string, number>();
    const failures: string[] = [];
    let started = 0;
    let done = 0;
    const swaps: Promise<void>[] = [];
    // Requests go on until both swaps have finished and 50 more have started, so the last version
    // is always seen, however slowly a loaded machine runs the swaps.
    let settledAt: number | undefined;
    const worker = async () => {
      while (started < TOTAL || settledAt === undefined || started < settledAt + 50) {
        const i = started++;
        if (i === 200) {
          // An admin selection mid-load…
          swaps.push(
            fetch(`${base}/models/select`, {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'vader@1.1.0', reason: 'hot-swap test' }),
            }).then(async (r) => {
              if (r.status !== 200) failures.push(`select → ${r.status} ${await r.text()}`);
            }),
          );
        }
        if (i === 550) {
          // …then (once the selection is done) a merged promotion picked up by the config watcher.
          swaps.push(
            swaps[0]!.then(async () => {
              source.set(configText({ families: families('1.2.0') }));
              if (!(await app.configWatcher.check())) failures.push('config not applied');
            }),
          );
          void Promise.allSettled(swaps).then(() => {
            settledAt = started;
          });
        }
        try {
          const r = await fetch(`${base}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-client-id': `c${i % 50}` },
            body: JSON.stringify({ text: `Shares jump as revenue beats, request ${i}` }),
          });
          const body = (await r.json()) as { performance?: { model_version: string } };
          if (r.status !== 200 || !body.performance) failures.push(`${r.status} ${JSON.stringify(body)}`);
          else
            versions.set(
              body.performance.model_version,
              (versions.get(body.performance.model_version) ?? 0) + 1,
            );
        } catch (error) {
          failures.push(String(error));
        }
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await Promise.all(swaps);

    expect(failures).toEqual([]);
    expect(done).toBe(started);
    expect(done).toBeGreaterThanOrEqual(TOTAL);
    expect([...versions.keys()].sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    // Every retired version was closed, and only after its last request left it.
    for (const v of ['1.0.0', '1.1.0']) {
      expect(modelsOf(vader, v).every((m) => m.closed && m.inFlight === 0)).toBe(true);
    }
    expect(modelsOf(vader, '1.2.0').map((m) => m.closed)).toEqual([false]);
    const status = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(status.retiring).toEqual([]);
    expect(status.models.find((m: { key: string }) => m.key === 'vader')).toMatchObject({
      version: '1.2.0',
      override: null,
      error: null,
    });
  });

  it('releases the old version only when its in-flight requests have drained', async () => {
    const { app, vader } = await setup();
    const old = vader.loaded[0]!;
    let open!: () => void;
    old.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const held = app.inject({
      method: 'POST',
      url: '/predict',
      payload: { text: 'Held inside the old model' },
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(old.inFlight).toBe(1);

    const selected = await select(app, { model: 'vader@1.1.0' });
    expect(selected.statusCode).toBe(200);
    expect(selected.json()).toMatchObject({ model: 'vader', version: '1.1.0', previous_version: '1.0.0' });

    const fresh = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'After the swap' } });
    expect(fresh.json().performance.model_version).toBe('1.1.0');
    const during = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(during.retiring).toEqual([{ id: 'vader@1.0.0', version: '1.0.0', in_flight: 1 }]);
    expect(old.closed).toBe(false);

    open();
    const res = await held;
    expect(res.statusCode).toBe(200);
    expect(res.json().performance.model_version).toBe('1.0.0');
    await new Promise((r) => setImmediate(r));
    expect(old.closed).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/models/status' })).json().retiring).toEqual([]);
  });

  it('keeps the old version serving when the new one fails to load, and shows why in /models/status', async () => {
    const { app } = await setup({
      failLoad: { '1.4.0': 'checksum mismatch for vader-v1.4.0/lexicon.json: expected 3f2a…, got 9b1c…' },
    });
    const res = await select(app, { model: 'vader@1.4.0' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toEqual({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(
        /could not switch vader to 1\.4\.0: checksum mismatch .* vader@1\.0\.0 keeps serving/,
      ),
    });
    const status = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(status.models.find((m: { key: string }) => m.key === 'vader')).toMatchObject({
      state: 'active',
      version: '1.0.0',
      override: null,
      error: { version: '1.4.0', message: expect.stringContaining('checksum mismatch') },
    });
    const predict = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Still here' } });
    expect(predict.json().performance.model_version).toBe('1.0.0');
  });

  it('refuses a version whose smoke prediction breaks the contract, and closes it', async () => {
    const { app, vader } = await setup({ badOutput: ['1.5.0'] });
    const res = await select(app, { model: 'vader@1.5.0' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toMatch(
      /failed verification: smoke text 1: scores sum to 2\.7000, not 1/,
    );
    expect(modelsOf(vader, '1.5.0').map((m) => m.closed)).toEqual([true]);
    const predict = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Still here' } });
    expect(predict.json().performance.model_version).toBe('1.0.0');
  });

  it('returns a family to the config champion when selected bare, and lets a new config champion win over an override', async () => {
    const { app, source } = await setup();
    await select(app, { model: 'vader@1.1.0' });
    const back = await select(app, { model: 'vader' });
    expect(back.json()).toMatchObject({ version: '1.0.0', previous_version: '1.1.0' });

    await select(app, { model: 'vader@1.1.0' });
    source.set(configText({ families: families('1.3.0') }));
    expect(await app.configWatcher.check()).toBe(true);
    const slot = (await app.inject({ method: 'GET', url: '/models/status' })).json().models[0];
    expect(slot).toMatchObject({ key: 'vader', version: '1.3.0', override: null });
  });

  it('pins the builtin version with @builtin, in a select and in a split arm, while the champion is a release', async () => {
    const { app, source } = await setup({ builtin: '0.9.0' });
    const pin = await select(app, { model: 'vader@builtin' });
    expect(pin.statusCode).toBe(200);
    expect(pin.json()).toMatchObject({ model: 'vader', version: '0.9.0', previous_version: '1.0.0' });
    const direct = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { text: 'a', model: 'vader@builtin' },
    });
    expect(direct.statusCode).toBe(200);
    expect(direct.json().performance.model_version).toBe('0.9.0');
    await select(app, { model: 'vader' });

    // A split arm on vader@builtin loads the builtin, not the champion a bare load would give.
    source.set(
      configText({
        families: families('1.0.0'),
        split: [
          { arm: 'a', model: 'vader', share: 0.5 },
          { arm: 'b', model: 'vader@builtin', share: 0.5 },
        ],
      }),
    );
    expect(await app.configWatcher.check()).toBe(true);
    const slots = (await app.inject({ method: 'GET', url: '/models/status' })).json().models;
    expect(slots).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'vader', version: '1.0.0' }),
        expect.objectContaining({ key: 'vader@builtin', version: '0.9.0', pinned: true }),
      ]),
    );
  });

  it('ignores an invalid config, reporting it, while the current models keep serving', async () => {
    const { app, source } = await setup();
    source.set('families: {vader: {champion: latest}}\nserving: {default: vader}');
    expect(await app.configWatcher.check()).toBe(false);
    const status = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(status.config.error).toMatch(/families\.vader\.champion: a semver version/);
    const predict = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Still here' } });
    expect(predict.statusCode).toBe(200);
  });

  it('keeps the previous routing when a model the new split needs cannot load', async () => {
    const { app, source } = await setup({
      failLoad: { '9.0.0': 'release vader-v9.0.0 not found in the registry' },
    });
    source.set(
      configText({
        families: families('1.0.0'),
        split: [
          { arm: 'a', model: 'vader', share: 0.5 },
          { arm: 'b', model: 'vader@9.0.0', share: 0.5 },
        ],
      }),
    );
    await app.configWatcher.check();
    const status = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(status.routing.split).toEqual([]);
    expect(status.routing_error).toMatch(/vader@9\.0\.0 could not be loaded; the previous routing stays/);
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'x-client-id': 'x' },
      payload: { text: 'a' },
    });
    expect(res.json().arm).toBe('default');
  });

  it('refuses to select an unknown family or one this server does not serve', async () => {
    const { app } = await setup();
    const unknown = await select(app, { model: 'gpt@1.0.0' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'UNKNOWN_MODEL',
      message: expect.stringContaining('valid models are vader, finbert'),
    });
    const malformed = await select(app, { model: 'vader@latest' });
    expect(malformed.statusCode).toBe(400);
    const extra = await select(app, { model: 'vader', force: true });
    expect(extra.json().error.message).toMatch(/unknown property "force"/);
  });
});
