import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ServingMetrics } from '../metrics';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServingMetrics;
  }
}

/**
 * Decorates `app.metrics`, counts and times every response by method, route pattern and status,
 * and writes the one access-log line per request (with its request id, from pino's child logger).
 */
const metrics: FastifyPluginAsync<{ defaultMetrics: boolean }> = async (app, opts) => {
  const m = new ServingMetrics({ defaultMetrics: opts.defaultMetrics });
  app.decorate('metrics', m);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // During a graceful shutdown, a request that was already running answers with
  // "Connection: close", so its keep-alive socket does not hold the server open afterwards.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: a scan of random paths must not create label values.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    m.httpRequests.inc(labels);
    m.httpDuration.observe(labels, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
    done();
  });
};

export const metricsPlugin = fp(metrics, { name: 'finsent-metrics', fastify: '5.x' });
