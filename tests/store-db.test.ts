import { describe, expect, it } from 'vitest';
import { dbTargets } from './helpers/db';

describe.each(dbTargets())('database seam on $name', (target) => {
  it('applies migrations once and answers parameterised queries', async () => {
    const db = await target.open();
    try {
      const versions = await db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      expect(versions.map((r) => r.version)).toContain(1);
      await db.query('INSERT INTO store_meta (key, value) VALUES ($1, $2)', ['k', 'v']);
      const rows = await db.query<{ value: string }>('SELECT value FROM store_meta WHERE key = $1', ['k']);
      expect(rows).toEqual([{ value: 'v' }]);
    } finally {
      await db.close();
    }
  });

  it('rolls a failed transaction back', async () => {
    const db = await target.open();
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO store_meta (key, value) VALUES ($1, $2)', ['gone', 'x']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.query('SELECT * FROM store_meta WHERE key = $1', ['gone'])).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
