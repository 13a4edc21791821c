import { describe, expect, it } from 'vitest';
import { parseModelsConfig } from '../config/models';
import { ModelPool, type PoolEvent } from '../serving/pool/pool';
import { configText, fakeFamily, registryOf } from './helpers/serving-fakes';

async function loadedPool(closeGraceMs?: number) {
  const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
  const events: PoolEvent[] = [];
  const pool = new ModelPool({
    families: registryOf(vader, fakeFamily({ name: 'finbert', builtin: '2.0.0' })),
    context: { env: { dataDir: '.finsent-test' } },
    ...(closeGraceMs !== undefined ? { closeGraceMs } : {}),
    onEvent: (e) => events.push(e),
  });
  await pool.apply(parseModelsConfig(configText(), 'test'));
  return { pool, vader, events };
}

/** Whether a promise has settled by the next macrotask. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 10));
  return done;
}

describe('closing the model pool', () => {
  it('resolves only after a request still holding a model has released it and the model has closed', async () => {
    // A client that disconnected leaves its request running; the process must not exit under it
    // (for FinBERT that aborts onnxruntime-node).
    const { pool, vader } = await loadedPool();
    const lease = pool.acquire('vader');
    let open!: () => void;
    const model = vader.loaded[0]!;
    model.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const running = lease.model.predict(['Apple beats estimates']);

    const closing = pool.close();
    expect(await settled(closing)).toBe(false);
    expect(model.closed).toBe(false);

    open();
    await expect(running).resolves.toHaveLength(1);
    lease.release();
    await closing;
    expect(model.closed).toBe(true);
    expect(() => pool.acquire('vader')).toThrow();
  });

  it('closes a model still leased after the grace period, saying so, so shutdown cannot hang', async () => {
    const { pool, vader, events } = await loadedPool(50);
    const lease = pool.acquire('vader'); // never released: a stuck request
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(events).toContainEqual({ type: 'close-forced', id: 'vader@builtin', in_flight: 1 });
    expect(vader.loaded[0]!.closed).toBe(true);
    lease.release(); // a late release after a forced close is harmless
  });

  it('does not hang on a model whose own close() never returns', async () => {
    const { pool, vader, events } = await loadedPool(40);
    vader.loaded[0]!.close = () => new Promise<void>(() => {});
    const lease = pool.acquire('vader');
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(events.filter((e) => e.type === 'close-forced')).toHaveLength(1);
    lease.release();
  });

  it('closes idle models at once', async () => {
    const { pool, vader, events } = await loadedPool(60_000);
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(vader.loaded.every((m) => m.closed)).toBe(true);
    expect(events.some((e) => e.type === 'close-forced')).toBe(false);
  });
});
