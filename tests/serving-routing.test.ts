import { describe, expect, it } from 'vitest';
import { chooseArm, type Routing, stickyBucket } from '../serving/pool/routing';
import { fakeFamily, registryOf, testApp } from './helpers/serving-fakes';

const split = (control: number): Routing => ({
  default: 'vader',
  split: [
    { arm: 'control', key: 'vader', share: control },
    { arm: 'treatment', key: 'vader@1.1.0', share: 1 - control },
  ],
  shadow: [],
});

describe('A/B assignment', () => {
  const clients = Array.from({ length: 10_000 }, (_, i) => `client-${i}`);

  it('is sticky: a client id always gets the same arm', () => {
    for (const id of clients.slice(0, 200)) {
      const first = chooseArm(split(0.5), id).arm;
      for (let i = 0; i < 3; i++) expect(chooseArm(split(0.5), id).arm).toBe(first);
    }
    expect(stickyBucket('alice')).toBe(stickyBucket('alice'));
    expect(stickyBucket('alice')).not.toBe(stickyBucket('bob'));
  });

  it('splits traffic by the configured shares', () => {
    const treatment =
      clients.filter((id) => chooseArm(split(0.8), id).arm === 'treatment').length / clients.length;
    // 10,000 Bernoulli(0.2) draws: the standard error is 0.004, so ±0.02 is five of them.
    expect(treatment).toBeGreaterThan(0.18);
    expect(treatment).toBeLessThan(0.22);
  });

  it('moves only the clients between the old and new boundary when a share grows', () => {
    const before = clients.map((id) => chooseArm(split(0.5), id).arm);
    const after = clients.map((id) => chooseArm(split(0.6), id).arm);
    const moved = before.filter((arm, i) => arm !== after[i]);
    expect(moved.every((arm) => arm === 'treatment')).toBe(true);
    expect(before.filter((arm, i) => arm === 'control' && after[i] !== 'control')).toEqual([]);
  });

  it('sends everything to the default when no split is configured', () => {
    expect(chooseArm({ default: 'finbert', split: [], shadow: [] }, 'anyone')).toEqual({
      arm: 'default',
      key: 'finbert',
    });
  });
});

describe('A/B routing through /predict', () => {
  it('serves each client from its arm, names the arm and version, and keeps clients on their arm', async () => {
    const { app } = await testApp({
      config: {
        families: { vader: { champion: '1.0.0' }, finbert: { champion: 'builtin' } },
        split: [
          { arm: 'control', model: 'vader', share: 0.5 },
          { arm: 'treatment', model: 'vader@1.1.0', share: 0.5 },
        ],
      },
    });
    try {
      const seen = new Map<string, string>();
      for (let i = 0; i < 40; i++) {
        const client = `client-${i}`;
        const res = await app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'x-client-id': client },
          payload: { text: `Shares jump ${i}` },
        });
        const body = res.json();
        expect(res.statusCode).toBe(200);
        const expected = chooseArm(split(0.5), client).arm;
        expect(body.arm).toBe(expected);
        expect(body.performance.model_version).toBe(expected === 'control' ? '1.0.0' : '1.1.0');
        seen.set(client, body.arm);
      }
      expect(new Set(seen.values())).toEqual(new Set(['control', 'treatment']));
      for (const [client, arm] of [...seen].slice(0, 10)) {
        const again = await app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'x-client-id': client },
          payload: { text: 'Another headline' },
        });
        expect(again.json().arm).toBe(arm);
      }
    } finally {
      await app.close();
    }
  });
});

describe('shadow scoring', () => {
  it('answers before the shadow model has run, with the served model only, then scores the shadow', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const finbert = fakeFamily({ name: 'finbert', builtin: '2.0.0' });
    const { app } = await testApp({ families: registryOf(vader, finbert), config: { shadow: ['finbert'] } });
    try {
      const shadowModel = finbert.loaded[0]!;
      const callsAfterSmoke = shadowModel.calls;
      let open!: () => void;
      shadowModel.gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Losses widen' } });
      // The shadow is still blocked inside its gate, yet the response is complete and unchanged.
      expect(res.statusCode).toBe(200);
      expect(res.json().prediction.model_used).toBe('vader');
      expect(res.json().comparison).toBeUndefined();
      open();
      await app.shadow.drain();
      expect(shadowModel.calls).toBe(callsAfterSmoke + 1);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(
        /finsent_shadow_predictions_total\{model="finbert",version="2.0.0",outcome="ok"\} 1/,
      );
    } finally {
      await app.close();
    }
  });

  it('keeps a failing shadow model away from the response, counting the failure', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const finbert = fakeFamily({ name: 'finbert', builtin: '2.0.0' });
    const { app } = await testApp({ families: registryOf(vader, finbert), config: { shadow: ['finbert'] } });
    try {
      finbert.loaded[0]!.predict = async () => {
        throw new Error('onnx session crashed');
      };
      for (let i = 0; i < 3; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/predict',
          payload: { text: `Shares jump ${i}` },
        });
        expect(res.statusCode).toBe(200);
      }
      await app.shadow.drain();
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(
        /finsent_shadow_predictions_total\{model="finbert",version="2.0.0",outcome="error"\} 3/,
      );
    } finally {
      await app.close();
    }
  });

  it('does not shadow direct model requests', async () => {
    const { app, finbert } = await testApp({ config: { shadow: ['finbert'] } });
    try {
      const before = finbert.loaded[0]!.calls;
      await app.inject({ method: 'POST', url: '/predict/vader', payload: { text: 'Shares jump' } });
      await app.shadow.drain();
      expect(finbert.loaded[0]!.calls).toBe(before);
    } finally {
      await app.close();
    }
  });

  it('loads nothing outside serveFamilies, even a configured shadow, and answers its routes with 503', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
    const finbert = fakeFamily({ name: 'finbert', builtin: '2.0.0' });
    const { app } = await testApp({
      families: registryOf(vader, finbert),
      serveFamilies: ['vader'],
      config: { shadow: ['finbert'] },
    });
    try {
      expect(finbert.loadCalls).toEqual([]);
      expect(
        (await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Shares jump' } })).statusCode,
      ).toBe(200);
      await app.shadow.drain();
      const res = await app.inject({
        method: 'POST',
        url: '/predict/finbert',
        payload: { text: 'Shares jump' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({
        code: 'MODEL_UNAVAILABLE',
        message: 'finbert is not served by this server (see GET /models/status)',
      });
    } finally {
      await app.close();
    }
  });
});
