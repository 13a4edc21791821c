import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { describeError } from '../../lib/errors';
import { type AuditEntry, recordAudit } from '../../pipeline/predictions/audit';
import type { Db } from '../../pipeline/store/db';
import type { FeatureReader } from '../options';

declare module 'fastify' {
  interface FastifyInstance {
    /** The store (Postgres or PGlite), or null when the app runs without one. */
    store: Db | null;
    features: FeatureReader | null;
    /**
     * Records an admin action in `audit_log`. Never throws: if the store is down the entry is
     * written to the server log at error level instead (the log is then the audit trail).
     */
    audit(entry: AuditEntry): Promise<void>;
    /** Pings the store: 'ok' | 'down' | 'disabled', with how long it took. */
    pingStore(): Promise<{
      status: 'ok' | 'down' | 'disabled';
      latency_ms: number | null;
      error: string | null;
    }>;
  }
}

/** Decorates the store seam (owned by the caller: the app never closes it). */
const store: FastifyPluginAsync<{ db?: Db | undefined; features?: FeatureReader | undefined }> = async (
  app,
  opts,
) => {
  const db = opts.db ?? null;
  app.decorate('store', db);
  app.decorate('features', opts.features ?? null);
  app.decorate('audit', async (entry: AuditEntry) => {
    if (!db) {
      app.log.warn({ audit: entry }, 'audit entry not stored: the app runs without a store');
      return;
    }
    try {
      // Bounded: a hung store must not hold an admin request (a rollback) hostage.
      await withTimeout(recordAudit(db, entry), 2000);
    } catch (error) {
      app.log.error(
        { audit: entry, error: describeError(error) },
        'audit entry could not be stored; it is kept in this log line',
      );
    }
  });
  app.decorate('pingStore', async () => {
    if (!db) return { status: 'disabled' as const, latency_ms: null, error: null };
    const started = performance.now();
    try {
      await withTimeout(db.query('SELECT 1'), 1000);
      return {
        status: 'ok' as const,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        error: null,
      };
    } catch (error) {
      // /health is public: the reason goes to the server log, not to the client.
      app.log.warn({ error: describeError(error) }, 'store health check failed');
      return {
        status: 'down' as const,
        latency_ms: null,
        error: 'the store did not answer SELECT 1 (see the server log)',
      };
    }
  });
};

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const storePlugin = fp(store, { name: 'finsent-store', fastify: '5.x' });
