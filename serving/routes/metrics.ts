import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../errors';

/** GET /metrics: Prometheus text exposition of the app's own registry. */
export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics',
        response: { 200: Type.String({ description: 'text/plain; version=0.0.4' }), ...errorResponses() },
      },
    },
    async (_req, reply) => {
      const m = app.metrics;
      // Gauges of queues are read at scrape time rather than updated on every change.
      m.logQueueDepth.set(app.predictionLog?.depth ?? 0);
      m.logWritten.set(app.predictionLog?.stats().written ?? 0);
      m.shadowQueueDepth.set(app.shadow.depth);
      m.modelsInFlight.set(app.models.inFlight());
      reply.type(m.registry.contentType);
      return m.registry.metrics();
    },
  );
}
