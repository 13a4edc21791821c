import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../errors';

const Check = Type.Object({ status: Type.String() }, { additionalProperties: true });

const HealthResponse = Type.Object(
  {
    status: Type.String({
      description: 'ok | degraded (serving, something behind it is down) | unavailable',
    }),
    live: Type.Boolean(),
    ready: Type.Boolean({ description: 'The default model is loaded: /predict can answer' }),
    uptime_s: Type.Number(),
    checks: Type.Object({
      models: Type.Object({
        status: Type.String(),
        active: Type.Array(Type.String()),
        loading: Type.Array(Type.String()),
        failed: Type.Array(Type.String()),
      }),
      store: Type.Object({
        status: Type.String(),
        latency_ms: Type.Union([Type.Number(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
      }),
      cache: Type.Object({ status: Type.String(), kind: Type.String() }),
      prediction_log: Check,
    }),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { additionalProperties: false },
);

const HealthQuery = Type.Object(
  {
    probe: Type.Optional(
      Type.Union([Type.Literal('live'), Type.Literal('ready')], {
        description:
          'live: 200 while the process answers; ready (default): 503 until the default model is loaded',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * GET /health: liveness and readiness in one answer. 200 while the default model can serve
 * (even with the store or cache down: predictions are buffered / uncached, the API still works,
 * and a restart would not help); 503 with `error` while it cannot.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const started = Date.now();
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['ops'],
        summary: 'Liveness and readiness: models loaded, store, cache, prediction log',
        querystring: HealthQuery,
        response: { ...errorResponses(), 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (req, reply) => {
      const probe = (req.query as { probe?: 'live' | 'ready' }).probe ?? 'ready';
      const slots = app.models.status().slots;
      const routing = app.models.routing;
      const ready = routing !== null && app.models.isReady(routing.default);
      const [store, cachePing] = await Promise.all([app.pingStore(), app.predictionCache.ping()]);
      const log = app.predictionLog?.stats();
      const failed = slots.filter((s) => s.error !== null).map((s) => s.key);
      const models = {
        status: !ready ? 'down' : failed.length > 0 ? 'degraded' : 'ok',
        active: slots.filter((s) => s.version).map((s) => `${s.key}=${s.version}`),
        loading: slots.filter((s) => s.loading).map((s) => s.key),
        failed,
      };
      const predictionLog = log
        ? {
            status: log.outageSince ? 'buffering' : 'ok',
            buffered: log.buffered + log.inFlight,
            dropped: log.dropped,
          }
        : { status: 'disabled' };
      const degraded =
        models.status !== 'ok' ||
        store.status === 'down' ||
        cachePing === 'down' ||
        predictionLog.status === 'buffering';
      const body = {
        status: !ready ? 'unavailable' : degraded ? 'degraded' : 'ok',
        live: true,
        ready,
        uptime_s: Math.round((Date.now() - started) / 1000),
        checks: {
          models,
          store,
          cache: { status: cachePing, kind: app.predictionCache.status().kind },
          prediction_log: predictionLog,
        },
      };
      if (ready || probe === 'live') return body;
      const why = routing
        ? `${routing.default} is not loaded (GET /models/status says why)`
        : 'no routing is configured yet';
      return reply
        .code(503)
        .send({ ...body, error: { code: 'MODEL_UNAVAILABLE', message: `not ready: ${why}` } });
    },
  );
}
