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
    await flush(); // let pending callbacks arm their timers first
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

/** Zero-delay timers on the next event-loop turn, no wall clock involved: for tests that only await. */
const immediateClock: BatcherClock = {
  now: () => 0,
  setTimeout: (fn) => setImmediate(fn),
  clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate),
};

describe('micro-batching', () => {
  it('sends a lone request on the next event-loop turn when the model is idle and traffic is sparse', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxWaitMs: 5, clock });
    const result = batcher.submit('a');
    await flush();
    expect(model.calls).toEqual([]);
    await clock.advance(0); // no waiting for company that is not coming
    expect(model.calls.map((c) => c.items)).toEqual([['a']]);
    model.finish(0);
    expect(await result).toBe('A');
  });

  it('gathers a same-tick burst into one call', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 8, clock });
    const results = ['a', 'b', 'c'].map((x) => batcher.submit(x));
    await clock.advance(0);
    expect(model.calls.map((c) => c.items)).toEqual([['a', 'b', 'c']]);
    model.finish(0);
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C']);
  });

  it('gathers requests that arrive while a call runs into the next call, up to the batch size', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 3, maxWaitMs: 5, clock });
    const first = batcher.submit('a');
    await clock.advance(0);
    const results = ['b', 'c', 'd', 'e', 'f'].map((x) => batcher.submit(x));
    await clock.advance(0);
    expect(model.calls.map((c) => c.items)).toEqual([['a']]);
    model.finish(0);
    await clock.advance(0);
    // Queued during the first call: sent as soon as the model is free, three at a time.
    expect(model.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    model.finish(1);
    await clock.advance(0);
    expect(model.calls[2]!.items).toEqual(['e', 'f']);
    model.finish(2);
    expect(await Promise.all([first, ...results])).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
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
    // A dense burst teaches the arrival-rate estimate that company is likely.
    const warm = ['w1', 'w2', 'w3', 'w4'].map((x) => batcher.submit(x));
    await clock.advance(0);
    model.finish(0);
    await Promise.all(warm);

    const first = batcher.submit('x');
    await clock.advance(0);
    expect(model.calls.length).toBe(1); // waiting for company
    await clock.advance(2);
    const second = batcher.submit('y');
    await flush();
    expect(model.calls.length).toBe(1);
    await clock.advance(3); // the first item's 5 ms are up
    expect(model.calls.map((c) => c.items)).toEqual([
      ['w1', 'w2', 'w3', 'w4'],
      ['x', 'y'],
    ]);
    model.finish(1);
    expect(await Promise.all([first, second])).toEqual(['X', 'Y']);
  });

  it('sends a full batch at once, without any timer', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 2, maxWaitMs: 1000, clock });
    const p = batcher.submitMany(['d', 'e']);
    expect(model.calls.map((c) => c.items)).toEqual([['d', 'e']]);
    expect(clock.pending).toBe(0);
    model.finish(0);
    expect(await p).toEqual(['D', 'E']);
  });

  it('puts callers who resubmit as a call completes into one next batch (closed loop)', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 8, maxWaitMs: 5, clock });
    const callers = [0, 1, 2, 3].map(async (c) => {
      const first = await batcher.submit(`${c}a`);
      return [first, await batcher.submit(`${c}b`)];
    });
    await clock.advance(0);
    model.finish(0);
    await flush();
    expect(model.calls.length).toBe(1); // not one caller at a time while the others catch up
    // The burst made traffic look dense, so the batch may wait up to maxWaitMs for more.
    await clock.advance(5);
    expect(model.calls.map((c) => c.items.length)).toEqual([4, 4]);
    model.finish(1);
    expect(await Promise.all(callers)).toEqual([
      ['0A', '0B'],
      ['1A', '1B'],
      ['2A', '2B'],
      ['3A', '3B'],
    ]);
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
    const running = batcher.submit('a');
    await clock.advance(0);
    const admitted = ['b', 'c', 'd'].map((x) => batcher.submit(x)); // wait while 'a' runs
    const refused = batcher.submit('e');
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(batcher.submit('e')).rejects.toMatchObject({
      code: 'OVERLOADED',
      message: 'finbert is overloaded: 3 requests already waiting (limit 3); retry shortly',
    });
    expect(batcher.stats().rejected).toBe(2);
    model.finish(0);
    await clock.advance(0);
    model.finish(1);
    await clock.advance(0);
    model.finish(2);
    expect(await Promise.all([running, ...admitted])).toEqual(['A', 'B', 'C', 'D']);
    expect(() => new MicroBatcher({ run: model.run, maxBatchSize: 8, maxQueue: 4 })).toThrow(RangeError);
  });

  it('admits a multi-item submission whole or not at all', async () => {
    const clock = new FakeClock();
    const model = fakeModel();
    const batcher = new MicroBatcher({ run: model.run, maxBatchSize: 2, maxQueue: 3, clock });
    const running = batcher.submit('a');
    await clock.advance(0);
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
      clock: immediateClock,
    });
    const results = ['a', 'poison', 'b', 'c'].map((x) =>
      batcher.submit(x).catch((e: Error) => `error: ${e.message}`),
    );
    expect(await Promise.all(results)).toEqual(['A', 'error: cannot score "poison"', 'B', 'C']);
    expect(seen).toEqual([['a', 'poison', 'b', 'c'], ['a', 'poison'], ['a'], ['poison'], ['b', 'c']]);
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
      clock: immediateClock,
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
      clock: immediateClock,
    });
    await expect(batcher.submitMany(['a', 'b'])).rejects.toThrow('finbert returned 1 outputs for 2 inputs');
  });

  it('rejects waiting requests on close and refuses new ones', async () => {
    const model = fakeModel();
    const clock = new FakeClock();
    const batcher = new MicroBatcher({ run: model.run, clock });
    const running = batcher.submit('a');
    await clock.advance(0);
    const waiting = batcher.submit('b');
    batcher.close();
    await expect(waiting).rejects.toThrow('model was closed before this request ran');
    await expect(batcher.submit('c')).rejects.toBeInstanceOf(FinsentError);
    model.finish(0);
    expect(await running).toBe('A');
  });
});
