import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { describeError } from '../../lib/errors';
import { type FinbertStatus, finbertStatus } from '../../models/finbert/status';
import { latestPerformance, type StoredPerformance } from '../../pipeline/predictions/performance';
import { errorResponses } from '../errors';
import { type SelectBody, SelectBody as SelectBodySchema } from '../schemas';
import { CLIENT_ID_HEADER } from './predict';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SlotStatus = Type.Object(
  {
    key: Type.String(),
    family: Type.String(),
    pinned: Type.Boolean(),
    state: Type.String({ description: 'active | loading | failed' }),
    version: Nullable(Type.String()),
    wanted: Type.String(),
    override: Nullable(Type.String()),
    loaded_at: Nullable(Type.String()),
    in_flight: Type.Integer(),
    loading: Nullable(Type.Object({ version: Type.String(), since: Type.String() })),
    error: Nullable(Type.Object({ version: Type.String(), message: Type.String(), at: Type.String() })),
  },
  { additionalProperties: false },
);

const RoutingOut = Type.Object({
  default: Type.String(),
  split: Type.Array(Type.Object({ arm: Type.String(), key: Type.String(), share: Type.Number() })),
  shadow: Type.Array(Type.String()),
  sticky_header: Type.String(),
});

const StatusResponse = Type.Object(
  {
    models: Type.Array(SlotStatus),
    retiring: Type.Array(
      Type.Object({ id: Type.String(), version: Type.String(), in_flight: Type.Integer() }),
    ),
    routing: Nullable(RoutingOut),
    routing_error: Nullable(Type.String()),
    config: Type.Object({
      source: Type.String(),
      poll_interval_ms: Type.Integer(),
      last_checked_at: Nullable(Type.String()),
      last_changed_at: Nullable(Type.String()),
      applied: Nullable(Type.String()),
      error: Nullable(Type.String()),
    }),
    families: Type.Array(Type.String(), { description: 'Model families this build knows' }),
    finbert: Nullable(
      Type.Object(
        {
          state: Type.String({ description: 'ready | downloadable | unavailable' }),
          source: Type.String(),
          dtype: Type.String(),
          device: Type.String(),
          thread: Type.Optional(Type.String({ description: 'where inference runs: worker | main' })),
          reason: Type.Optional(Type.String()),
        },
        { description: "FinBERT's weights and runtime, checked without the network; null when not served" },
      ),
    ),
  },
  { additionalProperties: false },
);

const n = Nullable(Type.Number());
const PerformanceResponse = Type.Object(
  {
    window_s: Type.Integer(),
    store: Type.String({ description: 'ok | unavailable | disabled' }),
    stored: Type.Array(
      Type.Object({
        model: Type.String(),
        version: Type.String(),
        dataset: Type.String(),
        context: Type.String(),
        n: Type.Integer(),
        accuracy: n,
        macro_f1: n,
        ece: n,
        latency_p50_ms: n,
        latency_p95_ms: n,
        latency_p99_ms: n,
        created_at: Type.String(),
      }),
    ),
    live: Type.Array(
      Type.Object({
        model: Type.String(),
        version: Type.String(),
        arm: Type.String(),
        window_s: Type.Integer(),
        requests: Type.Integer(),
        predictions: Type.Integer(),
        requests_per_s: Type.Number(),
        predictions_per_s: Type.Number(),
        cache_hit_rate: Type.Number(),
        latency_ms: Type.Object({
          p50: Type.Number(),
          p95: Type.Number(),
          p99: Type.Number(),
          max: Type.Number(),
        }),
      }),
    ),
  },
  { additionalProperties: false },
);

const PerformanceQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 64 })),
    window_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 300 })),
  },
  { additionalProperties: false },
);

const SelectResponse = Type.Object(
  {
    model: Type.String(),
    version: Type.String(),
    previous_version: Nullable(Type.String()),
    status: SlotStatus,
  },
  { additionalProperties: false },
);

/** GET /models/status, GET /models/performance, POST /models/select (admin). */
export async function modelsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/models/status',
    {
      schema: {
        tags: ['models'],
        summary: 'Loaded versions, loads in progress, load errors, routing',
        response: { 200: StatusResponse, ...errorResponses() },
      },
    },
    async () => {
      const s = app.models.status();
      const families = app.models.familyNames();
      let finbert: Omit<FinbertStatus, 'family'> | null = null;
      if (families.includes('finbert')) {
        const { family: _family, ...rest } = await finbertStatus(app.finsentEnv, { probe: false });
        finbert = rest;
      }
      return {
        models: s.slots,
        retiring: s.retiring,
        routing: s.routing ? { ...s.routing, sticky_header: CLIENT_ID_HEADER } : null,
        routing_error: s.routing_error,
        config: app.configWatcher.status(),
        families,
        finbert,
      };
    },
  );

  app.get(
    '/models/performance',
    {
      schema: {
        tags: ['models'],
        summary: 'Stored evaluation metrics and live latency/throughput',
        querystring: PerformanceQuery,
        response: { 200: PerformanceResponse, ...errorResponses() },
      },
    },
    async (req) => {
      const q = req.query as { model?: string; window_s?: number };
      const windowS = q.window_s ?? 300;
      let stored: StoredPerformance[] = [];
      let store: 'ok' | 'unavailable' | 'disabled' = 'disabled';
      if (app.store) {
        try {
          stored = await latestPerformance(app.store, q.model ? { model: q.model } : {});
          store = 'ok';
        } catch (error) {
          req.log.warn({ error: describeError(error) }, 'reading model_performance failed');
          store = 'unavailable';
        }
      }
      return {
        window_s: windowS,
        store,
        stored: stored.map((r) => ({
          model: r.model,
          version: r.version,
          dataset: r.dataset,
          context: r.context,
          n: r.n,
          accuracy: r.accuracy,
          macro_f1: r.macroF1,
          ece: r.ece,
          latency_p50_ms: r.latencyP50Ms,
          latency_p95_ms: r.latencyP95Ms,
          latency_p99_ms: r.latencyP99Ms,
          created_at: r.createdAt,
        })),
        live: app.liveStats.figures(windowS, q.model),
      };
    },
  );

  app.post(
    '/models/select',
    {
      // Authenticate after the rate limit (an onRequest hook) and before the body is parsed:
      // strangers are throttled and get 401/403, never schema hints.
      preParsing: async (request, reply, payload) => {
        await app.requireAdmin(request, reply);
        return payload;
      },
      config: { rateLimit: app.adminRateLimit === false ? false : app.adminRateLimit },
      schema: {
        tags: ['models'],
        summary: "Switch a family's champion (admin): load, verify, swap atomically",
        security: [{ adminToken: [] }],
        body: SelectBodySchema,
        response: { 200: SelectResponse, ...errorResponses(401, 403, 413, 415) },
      },
    },
    async (req) => {
      const body = req.body as SelectBody;
      const entry = {
        actor: req.adminActor ?? 'unknown',
        action: 'models.select',
        target: body.model,
        requestId: req.id,
        ip: req.ip,
      };
      try {
        const result = await app.models.select(body.model);
        await app.audit({
          ...entry,
          outcome: 'ok',
          details: { version: result.version, previous: result.previous, reason: body.reason ?? null },
        });
        const status = app.models.status().slots.find((s) => s.key === result.family)!;
        return { model: result.family, version: result.version, previous_version: result.previous, status };
      } catch (error) {
        await app.audit({
          ...entry,
          outcome: 'failed',
          details: { error: describeError(error), reason: body.reason ?? null },
        });
        throw error;
      }
    },
  );
}
