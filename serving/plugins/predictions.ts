import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Cache } from '../../pipeline/cache/types';
import { PredictionLog, type PredictionLogOptions } from '../../pipeline/predictions/log';
import { PredictionCache } from '../cache-guard';
import { LiveStats } from '../live-stats';
import { Predictor } from '../predictor';
import { ShadowRunner } from '../shadow';

declare module 'fastify' {
  interface FastifyInstance {
    predictor: Predictor;
    predictionCache: PredictionCache;
    /** Null when the app runs without a store. */
    predictionLog: PredictionLog | null;
    shadow: ShadowRunner;
    liveStats: LiveStats;
  }
}

export interface PredictionsPluginOptions {
  cache?: Cache | undefined;
  cacheTtlSeconds?: number | undefined;
  cacheTimeoutMs?: number | undefined;
  predictionLog?: PredictionLogOptions | undefined;
  logText: boolean;
  shadowQueue?: number | undefined;
}

/**
 * The prediction path's services: the guarded cache, the prediction log (batched, buffered
 * through outages), live stats, the predictor and the shadow runner. On close, queued shadow
 * work finishes and the log is flushed, after the server has stopped taking requests.
 */
const predictions: FastifyPluginAsync<PredictionsPluginOptions> = async (app, opts) => {
  const m = app.metrics;
  const cache = new PredictionCache(opts.cache, {
    ...(opts.cacheTtlSeconds ? { ttlSeconds: opts.cacheTtlSeconds } : {}),
    ...(opts.cacheTimeoutMs ? { timeoutMs: opts.cacheTimeoutMs } : {}),
    onError: (e) => {
      m.cache.inc({ result: 'error' });
      app.log.warn({ op: e.op, error: e.error }, 'prediction cache failed; serving without it for a while');
    },
  });
  let log: PredictionLog | null = null;
  if (app.store) {
    log = new PredictionLog(app.store, {
      ...opts.predictionLog,
      onEvent: (e) => {
        switch (e.type) {
          case 'dropped':
            m.logDropped.inc(e.dropped);
            app.log.warn(
              { dropped: e.dropped, total_dropped: e.totalDropped, max_buffered: e.maxBuffered },
              `prediction log buffer full: dropped ${e.dropped} predictions (${e.totalDropped} since start)`,
            );
            break;
          case 'flush-failed':
            app.log.warn(
              { error: e.error, buffered: e.buffered, retry_in_ms: e.retryInMs },
              'prediction log flush failed; predictions stay buffered',
            );
            break;
          case 'recovered':
            app.log.info(
              { outage_ms: e.outageMs, dropped_during_outage: e.droppedDuringOutage },
              'prediction log reached the store again; buffered predictions written',
            );
            break;
          case 'unflushed-at-stop':
            app.log.error(
              { remaining: e.remaining, error: e.error },
              `${e.remaining} predictions were not logged at shutdown`,
            );
            break;
        }
        opts.predictionLog?.onEvent?.(e);
      },
    }).start();
  }
  const live = new LiveStats();
  const predictor = new Predictor({ pool: app.models, cache, log, metrics: m, live, keepText: opts.logText });
  const shadow = new ShadowRunner(predictor, m, {
    ...(opts.shadowQueue ? { maxQueue: opts.shadowQueue } : {}),
    onError: (e) => app.log.warn({ model: e.key, error: e.error }, 'shadow prediction failed'),
  });
  app.decorate('predictionCache', cache);
  app.decorate('predictionLog', log);
  app.decorate('liveStats', live);
  app.decorate('predictor', predictor);
  app.decorate('shadow', shadow);
  app.addHook('onClose', async () => {
    shadow.stop();
    await shadow.drain();
    if (log) await log.stop();
  });
};

export const predictionsPlugin = fp(predictions, {
  name: 'finsent-predictions',
  fastify: '5.x',
  dependencies: ['finsent-metrics', 'finsent-store', 'finsent-models'],
});
