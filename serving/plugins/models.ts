import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { FinsentEnv } from '../../lib/env';
import type { ArtifactSource, FamilyRegistry } from '../../models/families';
import { ModelPool } from '../pool/pool';
import { type ConfigSource, ConfigWatcher } from '../pool/watch';

declare module 'fastify' {
  interface FastifyInstance {
    models: ModelPool;
    configWatcher: ConfigWatcher;
    /** The environment the models were loaded with (status routes describe it). */
    finsentEnv: FinsentEnv;
  }
}

export interface ModelsPluginOptions {
  env: FinsentEnv;
  families: FamilyRegistry;
  artifacts?: ArtifactSource | undefined;
  configSource: ConfigSource;
  configPollMs: number;
  serveFamilies?: readonly string[] | undefined;
  loadTimeoutMs?: number | undefined;
}

/**
 * The model pool and the config watcher. Registration waits for the first config to be applied
 * (every model loaded or its failure recorded), so a built app answers at once; a model that
 * failed to load makes /health "not ready" and its routes 503, it never stops the app starting.
 */
const models: FastifyPluginAsync<ModelsPluginOptions> = async (app, opts) => {
  const m = app.metrics;
  const pool = new ModelPool({
    families: opts.families,
    context: { env: opts.env, ...(opts.artifacts ? { artifacts: opts.artifacts } : {}) },
    ...(opts.serveFamilies ? { serve: opts.serveFamilies } : {}),
    ...(opts.loadTimeoutMs ? { loadTimeoutMs: opts.loadTimeoutMs } : {}),
    onEvent: (e) => {
      switch (e.type) {
        case 'load-failed':
          m.modelSwaps.inc({ key: e.id, outcome: 'failed' });
          app.log.error(
            { model: e.id, error: e.error },
            'model load failed; a version already serving keeps serving',
          );
          break;
        case 'swapped':
          m.modelSwaps.inc({ key: e.key, outcome: 'swapped' });
          app.log.info({ slot: e.key, from: e.from, to: e.to }, 'model swapped in');
          break;
        case 'routing-kept':
          app.log.warn({ reason: e.reason }, 'routing unchanged');
          break;
        case 'close-failed':
          app.log.warn({ model: e.id, error: e.error }, 'closing a retired model failed');
          break;
        case 'close-forced':
          app.log.warn(
            { model: e.id, in_flight: e.in_flight },
            'shutdown grace over: closing a model that still has requests inside',
          );
          break;
        default:
          app.log.info(e, `model ${e.type}`);
      }
      refreshGauges();
    },
  });
  function refreshGauges(): void {
    m.modelsLoaded.reset();
    for (const s of pool.status().slots) {
      if (s.version) m.modelsLoaded.set({ key: s.key, family: s.family, version: s.version }, 1);
    }
  }
  const watcher = new ConfigWatcher(opts.configSource, pool, {
    pollMs: opts.configPollMs,
    onEvent: (e) =>
      e.type === 'config-invalid'
        ? app.log.error(
            { source: e.source, error: e.error },
            'config ignored: the current models keep serving',
          )
        : app.log.info(e, 'config changed'),
  });
  app.decorate('models', pool);
  app.decorate('configWatcher', watcher);
  app.decorate('finsentEnv', opts.env);
  await watcher.start();
  refreshGauges();
  app.addHook('onClose', async () => {
    watcher.stop();
    await pool.close();
  });
};

export const modelsPlugin = fp(models, {
  name: 'finsent-models',
  fastify: '5.x',
  dependencies: ['finsent-metrics'],
});
