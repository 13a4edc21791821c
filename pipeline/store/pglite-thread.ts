import { Worker } from 'node:worker_threads';
import { acquireLock, openFailure, resolvePgliteTarget } from './pglite';
import { type Db, StoreError } from './types';

/** A Postgres error's fields as the worker sends them back (see ./pglite-worker.js). */
interface WireError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

type Reply =
  | { id: number; ok: true; rows?: unknown[]; tx?: number }
  | { id: number; ok: false; error: WireError };

/** A database error from the worker, with the fields callers test (`code === '42P01'`, …). */
export class PgliteWorkerError extends Error {
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly severity?: string;
  readonly table?: string;
  readonly constraint?: string;

  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'PgliteWorkerError';
    Object.assign(this, wire);
  }
}

/**
 * PGlite on a worker thread, behind the same `Db` seam (docs/adr/066). The API's prediction log
 * writes hundreds of rows at a time; in the main thread each batch held the event loop for tens
 * of milliseconds of WebAssembly, which every request in flight waited behind. Here the thread
 * that answers HTTP only posts messages.
 *
 * The lock file is taken on this thread, exactly as `openPglite` does, so one process at a time
 * owns a data directory whichever thread runs it. The worker only counts as a live handle while
 * a call is pending: an idle open database does not keep the process alive, as in the main
 * thread.
 *
 * @example
 * const db = await openPgliteWorker('memory://');
 * await db.query('SELECT 1 AS one'); // → [{ one: 1 }]
 */
export async function openPgliteWorker(dataDir: string | undefined): Promise<Db> {
  const target = resolvePgliteTarget(dataDir);
  const release = target ? acquireLock(target) : () => {};
  const cannotStart = (error: unknown) =>
    new StoreError(
      `could not start the embedded database's worker thread: ${(error as Error).message}; ` +
        'set FINSENT_PGLITE_THREAD=main to run it on the main thread',
      { action: 'opening PGlite', input: target ?? 'memory' },
      { cause: error },
    );
  let worker: Worker;
  try {
    // No inherited flags: the worker is plain JavaScript, and flags meant for the main script
    // (`--input-type`, a loader, `--cpu-prof`) would break or burden it.
    worker = new Worker(new URL('./pglite-worker.js', import.meta.url), { execArgv: [] });
  } catch (error) {
    release();
    throw cannotStart(error);
  }
  const channel = new Channel(worker);
  try {
    await channel.call({ op: 'open', target });
  } catch (error) {
    await channel.terminate();
    release();
    // PGlite's own refusal (a corrupt directory, …) reads as on the main thread.
    throw error instanceof PgliteWorkerError ? openFailure(target, error) : cannotStart(error);
  }

  const txDb = (tx: number): Db => ({
    kind: 'pglite',
    query: async <T extends object>(text: string, params: readonly unknown[] = []) =>
      (await channel.call({ op: 'query', text, params: [...params], tx })).rows as T[],
    exec: async (sql: string) => {
      await channel.call({ op: 'exec', sql, tx });
    },
    // Nested: the same transaction, as PGlite's own handle does.
    transaction: (fn) => fn(txDb(tx)),
    close: async () => {},
  });
  let closed = false;
  return {
    kind: 'pglite',
    query: async <T extends object>(text: string, params: readonly unknown[] = []) =>
      (await channel.call({ op: 'query', text, params: [...params] })).rows as T[],
    exec: async (sql: string) => {
      await channel.call({ op: 'exec', sql });
    },
    async transaction(fn) {
      const { tx } = await channel.call({ op: 'begin' });
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(txDb(tx!));
      } catch (error) {
        // Roll back, then report the caller's own error (a failed rollback is secondary).
        await channel.call({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await channel.call({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (channel.alive) await channel.call({ op: 'close' });
      } finally {
        await channel.terminate();
        release();
      }
    },
  };
}

/** Request/response over one worker: ids, pending calls, and what happens when the worker dies. */
class Channel {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (r: Reply & { ok: true }) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  #dead: Error | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const call = this.#pending.get(reply.id);
      if (!call) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) call.resolve(reply);
      else call.reject(new PgliteWorkerError(reply.error));
    });
    worker.on('error', (error) => this.#die(error));
    worker.on('exit', (code) => this.#die(new Error(`it exited with code ${code}`)));
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  call(message: Record<string, unknown>): Promise<Reply & { ok: true }> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      try {
        this.#worker.postMessage({ ...message, id });
      } catch (error) {
        // A parameter that cannot cross threads (a function, a class instance with private state).
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
        reject(
          new StoreError(
            `a query parameter cannot be sent to the database thread: ${(error as Error).message}`,
            {
              action: 'querying PGlite',
            },
          ),
        );
      }
    });
  }

  async terminate(): Promise<void> {
    this.#fail(new StoreError('the embedded database is closed', { action: 'querying PGlite' }));
    await this.#worker.terminate();
  }

  #die(cause: Error): void {
    this.#fail(
      new StoreError(
        `the embedded database's worker thread stopped (${cause.message}); restart the server ` +
          '(what was written before is on disk when FINSENT_DATA_DIR is persisted)',
        { action: 'querying PGlite' },
        { cause },
      ),
    );
  }

  /** From now on every call, pending or future, fails with `error`. */
  #fail(error: StoreError): void {
    if (this.#dead) return;
    this.#dead = error;
    for (const call of this.#pending.values()) call.reject(error);
    this.#pending.clear();
  }
}
