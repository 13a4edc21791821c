// The embedded database on its own thread (see ./pglite-thread.ts, which starts it, and
// docs/adr/066-pglite-on-a-worker-thread.md). Plain JavaScript on purpose: a worker does not
// inherit the main thread's tsx loader, and this file needs nothing but PGlite itself.
//
// Protocol (each request carries an id; each reply names it):
//   { op: 'open', target }                 → { ok: true }
//   { op: 'query', text, params, tx? }     → { ok: true, rows }
//   { op: 'exec', sql, tx? }               → { ok: true }
//   { op: 'begin' }                        → { ok: true, tx }   (a transaction held open)
//   { op: 'end', tx, commit }              → { ok: true }       (committed, or rolled back)
//   { op: 'close' }                        → { ok: true }
// A failure replies { ok: false, error: { message, code, detail, … } }.
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** @type {PGlite | undefined} */
let pg;
/** Open transactions: id → their handle and the function that ends them. */
const transactions = new Map();
let nextTx = 1;

/** The fields of a Postgres error worth keeping across the thread boundary. */
const ERROR_FIELDS = ['code', 'detail', 'hint', 'severity', 'schema', 'table', 'column', 'constraint'];

function serialiseError(error) {
  const out = { message: error instanceof Error ? error.message : String(error) };
  if (error && typeof error === 'object') {
    for (const field of ERROR_FIELDS) if (typeof error[field] === 'string') out[field] = error[field];
  }
  return out;
}

function target(tx) {
  if (tx === undefined) return pg;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open (it ended or failed)`);
  return open.handle;
}

const ROLLBACK = Symbol('rollback');

/**
 * Opens a transaction and holds it: pg.transaction commits when its callback resolves and rolls
 * back when it throws, so the callback waits until the main thread sends `end`. Resolves with
 * the transaction's id once BEGIN has run.
 */
function begin() {
  const tx = nextTx++;
  return new Promise((started, failed) => {
    const done = pg
      .transaction(
        (handle) =>
          new Promise((resolve, reject) => {
            transactions.set(tx, { handle, end: (commit) => (commit ? resolve() : reject(ROLLBACK)), done });
            started(tx);
          }),
      )
      .catch((error) => {
        if (error !== ROLLBACK) throw error;
      })
      .finally(() => transactions.delete(tx));
    // BEGIN itself failed: the callback never ran.
    done.catch(failed);
  });
}

async function handle(message) {
  switch (message.op) {
    case 'open':
      pg = await PGlite.create(message.target);
      return {};
    case 'query': {
      const result = await target(message.tx).query(message.text, message.params);
      return { rows: result.rows };
    }
    case 'exec':
      await target(message.tx).exec(message.sql);
      return {};
    case 'begin':
      return { tx: await begin() };
    case 'end': {
      const open = transactions.get(message.tx);
      if (!open) throw new Error(`transaction ${message.tx} is not open`);
      open.end(message.commit);
      await open.done;
      return {};
    }
    case 'close':
      if (pg && !pg.closed) await pg.close();
      return {};
    default:
      throw new Error(`unknown operation ${String(message.op)}`);
  }
}

parentPort.on('message', (message) => {
  handle(message).then(
    (result) => parentPort.postMessage({ id: message.id, ok: true, ...result }),
    (error) => parentPort.postMessage({ id: message.id, ok: false, error: serialiseError(error) }),
  );
});
