import type { FastifyInstance } from 'fastify';
import type { FinsentEnv } from '../lib/env';
import { ConfigError, describeError, InputError } from '../lib/errors';
import { type ArtifactSource, createFamilyRegistry, type FamilyRegistry } from '../models/families';
import type { Cache } from '../pipeline/cache/types';
import type { Db } from '../pipeline/store/db';
import { buildApp } from './app';
import type { AppOptions, FeatureReader } from './options';
import { readServingSettings } from './settings';
import { openServingCache, openServingStore } from './wiring';

export const DEFAULT_PORT = 3000;

/** What the main job (or `finsent serve`) hands to startServer. Everything but `env` is optional. */
export interface ServeContext {
  env: FinsentEnv;
  families?: FamilyRegistry;
  artifacts?: ArtifactSource;
  /** An open store; when absent one is opened from `env` (and closed on shutdown). */
  db?: Db;
  /** A cache; when absent one is opened from `env` (and closed on shutdown). */
  cache?: Cache;
  features?: FeatureReader;
  /** Default: `env.port`, else 3000. 0 picks a free port. */
  port?: number;
  /** Default: FINSENT_HOST, else 127.0.0.1 (localhost only). */
  host?: string;
  /** Overrides of the app options (after the environment's serving settings). */
  app?: Partial<AppOptions>;
  /** Where the URL and the curl example are printed; default stdout. */
  print?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully (default true). */
  handleSignals?: boolean;
  /** In-flight requests get this long to finish on shutdown before connections are cut. */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Graceful stop: no new connections, in-flight requests finish, the prediction log is flushed. */
  close(reason?: string): Promise<void>;
  /** Settles when the server has stopped (after a signal or close()). */
  closed: Promise<void>;
}

/**
 * The only place the API listens. Serves until SIGTERM/SIGINT (or close()), then stops taking
 * connections, lets in-flight requests finish, flushes the prediction log, closes the models and
 * whatever it opened itself.
 *
 *   const server = await startServer({ env: readEnv(), families });
 *   // finsent API on http://127.0.0.1:3000 … (prints a curl example)
 *   await server.closed;
 */
export async function startServer(ctx: ServeContext): Promise<RunningServer> {
  const print = ctx.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = readServingSettings();
  const host = ctx.host ?? settings.host;
  const port = ctx.port ?? ctx.env.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InputError(`port ${port} is not a TCP port: use 1-65535 (or 0 for any free port)`);
  }
  const opened: { close(): Promise<void> }[] = [];
  let db = ctx.db;
  if (!db) {
    db = await openServingStore(ctx.env);
    opened.push(db);
  }
  let cache = ctx.cache;
  if (!cache) {
    cache = await openServingCache(ctx.env);
    opened.push(cache);
  }
  let app: FastifyInstance;
  try {
    app = await buildApp({
      env: ctx.env,
      families: ctx.families ?? createFamilyRegistry(),
      ...(ctx.artifacts ? { artifacts: ctx.artifacts } : {}),
      db,
      cache,
      ...(ctx.features ? { features: ctx.features } : {}),
      ...settings.app,
      ...ctx.app,
    });
  } catch (error) {
    await Promise.all(opened.map((o) => o.close().catch(() => {})));
    throw error;
  }
  let url: string;
  try {
    await app.listen({ port, host });
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}`;
  } catch (error) {
    await app.close().catch(() => {});
    await Promise.all(opened.map((o) => o.close().catch(() => {})));
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new InputError(`port ${port} is already in use: stop the other server or pass --port`);
    if (code === 'EACCES')
      throw new InputError(`not allowed to listen on port ${port}: use a port above 1023`);
    throw new ConfigError(`could not listen on ${host}:${port}: ${describeError(error)}`);
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | null = null;
  const graceMs = ctx.shutdownGraceMs ?? 10_000;
  const close = (reason = 'close requested'): Promise<void> => {
    closing ??= (async () => {
      app.log.info({ reason }, 'shutting down: finishing in-flight requests, flushing the prediction log');
      // Requests still running after the grace period are cut so shutdown cannot hang forever.
      const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
      force.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(force);
        await Promise.all(opened.map((o) => o.close().catch(() => {})));
        removeSignals();
        resolveClosed();
      }
    })();
    return closing;
  };

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      print(`finsent: ${signal} again, exiting without waiting`);
      process.exit(130);
    }
    print(`finsent: ${signal} received, shutting down (Ctrl-C again to force)`);
    void close(signal);
  };
  const removeSignals = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (ctx.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  printBanner(print, url, app);
  if ((ctx.env.redisUrl || ctx.env.upstashUrl) && cache.kind === 'memory') {
    print('  note: REDIS_URL/UPSTASH_* are set but this build serves from the in-process cache');
  }
  return { app, url, close, closed };
}

function printBanner(print: (line: string) => void, url: string, app: FastifyInstance): void {
  const serving = app.models
    .status()
    .slots.map((s) => (s.version ? `${s.key}@${s.version}` : `${s.key} (${s.state})`))
    .join(', ');
  print(`finsent API on ${url}`);
  print(`  models:  ${serving || 'none registered'}`);
  print(`  docs:    ${url}/docs`);
  print(`  health:  ${url}/health`);
  print(
    `  try:     curl -s -X POST ${url}/predict -H 'content-type: application/json' -d '{"text":"Shares jump after record quarterly revenue"}'`,
  );
  print('  Ctrl-C to stop.');
}
