import { describe, expect, it } from 'vitest';
import { FinsentError } from '../lib/errors';
import { type BatcherClock, MicroBatcher, OverloadedError } from '../models/finbert/batcher';

/** A clock the test moves by hand: timers fire only inside advance(). */
class FakeClock implements BatcherClock {
  time = 0;
  #timers: { due: number; fn: () => void; id: number }[] = [];
  #next = 0;
  now() {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.#next++;
    this.#timers.push({ due: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  get pending() {
    return this.#timers.length;
  }
  async advance(ms: number) {
    this.time += ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.due <= this.time).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.fn();
      await flush();
    }
  }
}

/** Lets promise callbacks run (the batcher resolves callers in microtasks). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A fake batch model whose calls the test completes by hand, recording each batch. */
function fakeModel() {
  const calls: { items: string[]; resolve: (out: string[]) => void; reject: (e: unknown) => void }[] = [];
  const run = (items: readonly string[]) =>
    new Promise<readonly string[]>((resolve, reject) => {
      calls.push({ items: [...items], resolve, reject });
    });
  const finish = (i: number) => calls[i]!.resolve(calls[i]!.items.map((x) => x.toUpperCase()));
  return { calls, run, finish };
}

describe('micro-batching', () => {
  it('sends a lone request at once when the model is idle and traffic is sparse', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxWaitMs: 5, clock });
    const result = batcher.submit('a');
    await flush();
    expect(model.calls.map((c) => c.items)).toEqual([['a']]);
    expect(clock.pending).toBe(0);
    model.finish(0);
    expect(await result).toBe('A');
  });

  it('gathers requests that arrive while a call runs into the next call, up to the batch size', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 3, maxWaitMs: 5, clock });
    const results = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => batcher.submit(x));
    await flush();
    expect(model.calls.map((c) => c.items)).toEqual([['a']]);
    model.finish(0);
    await flush();
    // Queued during the first call: sent as soon as the model is free, three at a time.
    expect(model.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    model.finish(1);
    await flush();
    expect(model.calls[2]!.items).toEqual(['e', 'f']);
    model.finish(2);
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(batcher.stats()).toMatchObject({
      submitted: 6,
      batches: 3,
      meanBatchSize: 2,
      waiting: 0,
      inFlight: 0,
    });
  });

  it('under dense traffic waits at most maxWaitMs for company, then sends what it has', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 8, maxWaitMs: 5, clock });
    // Warm up the arrival-rate estimate with a dense burst, and let it drain.
    const warm = ['w1', 'w2', 'w3', 'w4'].map((x) => batcher.submit(x));
    await flush();
    model.finish(0);
    await flush();
    model.finish(1);
    await Promise.all(warm);
    const calls = model.calls.length;

    const first = batcher.submit('x');
    await flush();
    expect(model.calls.length).toBe(calls); // waiting for company
    await clock.advance(2);
    const second = batcher.submit('y');
    await flush();
    expect(model.calls.length).toBe(calls);
    await clock.advance(3); // the first item's 5 ms are up
    expect(model.calls.length).toBe(calls + 1);
    expect(model.calls[calls]!.items).toEqual(['x', 'y']);
    model.finish(calls);
    expect(await Promise.all([first, second])).toEqual(['X', 'Y']);
  });

  it('sends a full batch without waiting for the timer', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 2, maxWaitMs: 1000, clock });
    const warm = [batcher.submit('a'), batcher.submit('b'), batcher.submit('c')];
    await flush();
    model.finish(0);
    await flush();
    model.finish(1);
    await Promise.all(warm);
    const p = batcher.submitMany(['d', 'e']);
    await flush();
    expect(model.calls.at(-1)!.items).toEqual(['d', 'e']);
    model.finish(model.calls.length - 1);
    expect(await p).toEqual(['D', 'E']);
  });

  it('rejects with OVERLOADED when the queue is full, and still serves what it admitted', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({
      run: model.run,
      maxBatchSize: 2,
      maxQueue: 3,
      name: 'finbert',
      clock,
    });
    const admitted = ['a', 'b', 'c', 'd'].map((x) => batcher.submit(x)); // 'a' runs, b c d wait
    await flush();
    const refused = batcher.submit('e');
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(batcher.submit('e')).rejects.toMatchObject({
      code: 'OVERLOADED',
      message: 'finbert is overloaded: 3 requests already waiting (limit 3); retry shortly',
    });
    expect(batcher.stats().rejected).toBe(2);
    model.finish(0);
    await flush();
    model.finish(1);
    await flush();
    model.finish(2);
    expect(await Promise.all(admitted)).toEqual(['A', 'B', 'C', 'D']);
    expect(() => new MicroBatcher({ run: model.run, maxBatchSize: 8, maxQueue: 4 })).toThrow(RangeError);
  });

  it('admits a multi-item submission whole or not at all', async () => {
    const model = fakeModel();
    const batcher = new MicroBatcher({
      run: model.run,
      maxBatchSize: 2,
      maxQueue: 3,
      clock: new FakeClock(),
    });
    const running = batcher.submit('a');
    await flush();
    await expect(batcher.submitMany(['b', 'c', 'd', 'e'])).rejects.toThrow(/exceed the queue bound 3/);
    const waiting = batcher.submitMany(['b', 'c']);
    await expect(batcher.submitMany(['d', 'e'])).rejects.toBeInstanceOf(OverloadedError);
    expect(batcher.stats().waiting).toBe(2);
    model.finish(0);
    await flush();
    model.finish(1);
    expect(await running).toBe('A');
    expect(await waiting).toEqual(['B', 'C']);
  });

  it('gives an error only to the caller whose item caused it (bisecting the failed call)', async () => {
    const seen: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      run: async (items) => {
        seen.push([...items]);
        if (items.includes('poison')) throw new Error('cannot score "poison"');
        return items.map((x) => x.toUpperCase());
      },
      maxBatchSize: 4,
      maxWaitMs: 0,
      clock: new FakeClock(),
    });
    const blocker = batcher.submit('first');
    const results = ['a', 'poison', 'b', 'c'].map((x) =>
      batcher.submit(x).catch((e: Error) => `error: ${e.message}`),
    );
    await blocker;
    expect(await Promise.all(results)).toEqual(['A', 'error: cannot score "poison"', 'B', 'C']);
    expect(seen).toContainEqual(['a', 'poison', 'b', 'c']);
    expect(seen).toContainEqual(['poison']);
    expect(batcher.stats().failedItems).toBe(1);
  });

  it('fails every caller of a call that fails as a whole, and the next call still runs', async () => {
    let broken = true;
    const batcher = new MicroBatcher<string, string>({
      run: async (items) => {
        if (broken) throw new Error('session crashed');
        return items.map((x) => x.toUpperCase());
      },
      isolateFailures: false,
      maxWaitMs: 0,
      clock: new FakeClock(),
    });
    const failed = await Promise.allSettled([batcher.submit('a'), batcher.submit('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    expect(await batcher.submit('c')).toBe('C');
  });

  it('fails callers when the model returns the wrong number of outputs', async () => {
    const batcher = new MicroBatcher<string, string>({
      run: async () => ['only one'],
      isolateFailures: false,
      maxWaitMs: 0,
      name: 'finbert',
      clock: new FakeClock(),
    });
    await expect(batcher.submitMany(['a', 'b'])).rejects.toThrow('finbert returned 1 outputs for 2 inputs');
  });

  it('rejects waiting requests on close and refuses new ones', async () => {
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, clock: new FakeClock() });
    const running = batcher.submit('a');
    const waiting = batcher.submit('b');
    await flush();
    batcher.close();
    await expect(waiting).rejects.toThrow('model was closed before this request ran');
    await expect(batcher.submit('c')).rejects.toBeInstanceOf(FinsentError);
    model.finish(0);
    expect(await running).toBe('A');
  });
});
