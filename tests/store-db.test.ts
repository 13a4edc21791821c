import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../pipeline/store/migrate';
import type { Db } from '../pipeline/store/types';
import { dbTargets } from './helpers/db';

describe.each(dbTargets({ worker: true }))('database seam on $name', (target) => {
  // One database per file: opening PGlite costs seconds.
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies migrations once and answers parameterised queries', async () => {
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1');
    expect(versions.map((r) => r.version)).toEqual(expect.arrayContaining([1, 10, 11]));
    expect(await migrate(db)).toEqual([]); // a second start applies nothing
    await db.query('INSERT INTO store_meta (key, value) VALUES ($1, $2)', ['k', 'v']);
    const rows = await db.query<{ value: string }>('SELECT value FROM store_meta WHERE key = $1', ['k']);
    expect(rows).toEqual([{ value: 'v' }]);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO store_meta (key, value) VALUES ($1, $2)', ['gone', 'x']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT * FROM store_meta WHERE key = $1', ['gone'])).toEqual([]);
  });

  it('reads a JSON string bound to a jsonb parameter as JSON, the bulk-write idiom', async () => {
    const rows = await db.query<{ id: string; tickers: string[]; n: number | null; big: number }>(
      `SELECT x.*, 9007199254740::bigint AS big
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, tickers text[], n int) ORDER BY id`,
      [
        JSON.stringify([
          { id: 'a', tickers: ['AAPL', 'MSFT'], n: 1 },
          { id: 'b', tickers: [], n: null },
        ]),
      ],
    );
    expect(rows).toEqual([
      { id: 'a', tickers: ['AAPL', 'MSFT'], n: 1, big: 9007199254740 },
      { id: 'b', tickers: [], n: null, big: 9007199254740 },
    ]);
    const [obj] = await db.query<{ v: unknown }>('SELECT $1::jsonb AS v', ['{"a":[1,2]}']);
    expect(obj!.v).toEqual({ a: [1, 2] });
  });
});
