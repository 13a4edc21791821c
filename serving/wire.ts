import { stringify } from 'yaml';
import { MODELS_CONFIG_PATH } from '../config/models';
import type { FinsentEnv } from '../lib/env';
import { createFamilyRegistry } from '../models/families';
import { modelLoadContext } from '../models/load-context';
import { loadEffectiveModelsConfig, localModelsConfigPath } from '../models/promotion/effective-config';
import { openCache } from '../pipeline/cache/open';
import { cachedLatestFeatures } from '../pipeline/features/latest';
import { registerDriftGauges } from '../pipeline/monitor/prometheus';
import { latestDriftMetrics } from '../pipeline/monitor/store';
import { openStore } from '../pipeline/store/open';
import type { FeatureReader } from './options';
import type { ConfigSource } from './pool/watch';
import { feedbackRoutes, tokenAuthenticator } from './routes/feedback';
import { type RunningServer, type ServeContext, startServer } from './server';
import { readServingSettings } from './settings';

/**
 * The models config serving polls: config/models.yaml with local promotions
 * ($FINSENT_DATA_DIR/config/models.yaml) laid over it, so a model `npm start` promoted is served.
 */
export function effectiveConfigSource(dataDir: string): ConfigSource {
  return {
    name: `${MODELS_CONFIG_PATH} + local promotions (${localModelsConfigPath(dataDir)})`,
    read: async () => stringify(loadEffectiveModelsConfig(dataDir).config),
  };
}

export interface ProductionServeOptions {
  port?: number;
  host?: string;
  print?: (line: string) => void;
  handleSignals?: boolean;
}

/**
 * The API as `finsent serve` and `npm start` run it: the real model families, models loaded
 * from the registry the environment names, the store (Postgres or PGlite) and the cache (Redis,
 * Upstash or in-process, always resilient), ticker features for `ticker`, the effective models
 * config, POST /feedback (Bearer FINSENT_ADMIN_TOKEN or FINSENT_FEEDBACK_TOKEN) and the drift
 * gauges on /metrics. The store and cache are closed once the server has stopped.
 *
 * @example const server = await startProductionServer(readEnv(), { port: 3000 }); await server.closed;
 */
export async function startProductionServer(
  env: FinsentEnv,
  options: ProductionServeOptions = {},
): Promise<RunningServer> {
  // Settings are read (and validated) here too: the store opens before the server starts.
  const db = await openStore(env, { pgliteThread: readServingSettings().pgliteThread });
  let cache: Awaited<ReturnType<typeof openCache>> | undefined;
  try {
    cache = await openCache(env);
    const c = cache;
    const features: FeatureReader = async (ticker) => {
      const { features: f } = await cachedLatestFeatures(db, c, ticker);
      if (!f) return undefined;
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(f.features)) if (typeof v === 'number') out[k] = v;
      return out;
    };
    const authenticate = tokenAuthenticator({
      ...(env.adminToken ? { adminToken: env.adminToken } : {}),
      ...(process.env.FINSENT_FEEDBACK_TOKEN ? { feedbackToken: process.env.FINSENT_FEEDBACK_TOKEN } : {}),
    });
    const loadContext = modelLoadContext(env);
    const ctx: ServeContext = {
      env,
      families: createFamilyRegistry(),
      ...(loadContext.artifacts ? { artifacts: loadContext.artifacts } : {}),
      db,
      cache,
      features,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.print ? { print: options.print } : {}),
      ...(options.handleSignals !== undefined ? { handleSignals: options.handleSignals } : {}),
      app: {
        configSource: effectiveConfigSource(env.dataDir),
        extensions: [
          async (app) => {
            await app.register(feedbackRoutes, { db, authenticate });
          },
          async (app) => {
            registerDriftGauges(app.metrics.registry, () => latestDriftMetrics(db));
          },
        ],
      },
    };
    const server = await startServer(ctx);
    const closed = server.closed.finally(async () => {
      await c.close().catch(() => {});
      await db.close().catch(() => {});
    });
    return { ...server, closed };
  } catch (error) {
    await cache?.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
