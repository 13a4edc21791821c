import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeError, InputError, ModelUnavailableError, UnknownModelError } from '../../lib/errors';
import type { Prediction } from '../../models/types';
import { errorResponses } from '../errors';
import { chooseArm } from '../pool/routing';
import type { PredictItem, PredictOutcome } from '../predictor';
import { priceDirection } from '../price';
import {
  type BatchResponse,
  type PredictBody,
  PredictResponse,
  predictBody,
  type SingleResponse,
} from '../schemas';
import type { RoutesOptions } from './types';

/** The header whose value pins a client to an A/B arm (see docs/api.md#ab-routing). */
export const CLIENT_ID_HEADER = 'x-client-id';
const FEATURE_TIMEOUT_MS = 250;

/**
 * POST /predict (routed: A/B arm or default, plus shadows), /predict/vader and /predict/finbert
 * (that family's champion), /predict/compare (both, side by side). One text or a batch.
 */
export async function predictRoutes(app: FastifyInstance, opts: RoutesOptions): Promise<void> {
  const schema = (summary: string, model: boolean) => ({
    tags: ['predict'],
    summary,
    body: predictBody(opts.limits, { model }),
    response: { 200: PredictResponse, ...errorResponses(413, 415) },
  });

  app.post(
    '/predict',
    { schema: schema('Score headlines with the routed model (A/B arm or default)', true) },
    (req) => predict(app, req, '/predict'),
  );
  app.post('/predict/vader', { schema: schema("Score headlines with VADER's champion", false) }, (req) =>
    predict(app, req, '/predict/vader', 'vader'),
  );
  app.post('/predict/finbert', { schema: schema("Score headlines with FinBERT's champion", false) }, (req) =>
    predict(app, req, '/predict/finbert', 'finbert'),
  );
  app.post(
    '/predict/compare',
    { schema: schema('Score headlines with VADER and FinBERT and compare', false) },
    (req) => compare(app, req),
  );
}

function textsOf(body: PredictBody): { texts: string[]; batch: boolean } {
  if (body.text !== undefined && body.texts !== undefined) {
    throw new InputError('send either "text" (one headline) or "texts" (a batch), not both');
  }
  if (body.text !== undefined) return { texts: [body.text], batch: false };
  if (body.texts !== undefined) return { texts: body.texts, batch: true };
  throw new InputError('the body needs "text" (one headline) or "texts" (an array of headlines)');
}

/** A fixed-family route answers 503 (not 400) when this server does not serve that family. */
function servedKey(app: FastifyInstance, family: string): string {
  const key = app.models.keyFor(family);
  if (!key)
    throw new ModelUnavailableError(`${family} is not served by this server (see GET /models/status)`);
  return key;
}

async function predict(app: FastifyInstance, req: FastifyRequest, route: string, family?: string) {
  const started = performance.now();
  const body = req.body as PredictBody;
  const { texts, batch } = textsOf(body);
  let key: string;
  let arm: string;
  if (family) {
    key = servedKey(app, family);
    arm = 'direct';
  } else if (body.model) {
    const k = app.models.keyFor(body.model);
    if (!k) {
      throw new UnknownModelError(
        `model "${body.model}" is not served here: choose one of ${app.models.keys().join(', ')} (GET /models/status lists them)`,
      );
    }
    key = k;
    arm = 'direct';
  } else {
    const routing = app.models.routing;
    if (!routing) throw new ModelUnavailableError('no routing is configured yet; retry shortly');
    ({ key, arm } = chooseArm(routing, clientId(req)));
  }
  const [outcome, features] = await Promise.all([
    app.predictor.predict({ key, texts, arm, route, requestId: req.id, ticker: body.ticker ?? null }),
    readFeatures(app, req, body.ticker),
  ]);
  if (route === '/predict' && arm !== 'direct') {
    const shadows = app.models.routing?.shadow.filter((k) => k !== key && app.models.isReady(k)) ?? [];
    if (shadows.length > 0) {
      app.shadow.submit({ keys: shadows, texts, requestId: req.id, ticker: body.ticker ?? null });
    }
  }
  return respond(outcome, features, body.ticker, batch, performance.now() - started);
}

async function compare(app: FastifyInstance, req: FastifyRequest) {
  const started = performance.now();
  const body = req.body as PredictBody;
  const { texts, batch } = textsOf(body);
  const vaderKey = servedKey(app, 'vader');
  const finbertKey = servedKey(app, 'finbert');
  const common = {
    texts,
    arm: 'compare',
    route: '/predict/compare',
    requestId: req.id,
    ticker: body.ticker ?? null,
  };
  const [vader, finbert, features] = await Promise.all([
    app.predictor.predict({ ...common, key: vaderKey }),
    // Distinct ids: both predictions of a text are logged.
    app.predictor.predict({ ...common, key: finbertKey, requestId: `${req.id}:finbert` }),
    readFeatures(app, req, body.ticker),
  ]);
  // The headline answer is the family /predict would use by default; FinBERT otherwise.
  const defaultFamily = app.models.routing?.default.split('@')[0];
  const primary = defaultFamily === 'vader' ? vader : finbert;
  const response = respond(primary, features, body.ticker, batch, performance.now() - started);
  const comparisons = vader.items.map((v, i) => comparison(v, finbert.items[i]!, vader, finbert));
  if ('results' in response) {
    response.results.forEach((r, i) => {
      r.comparison = comparisons[i]!;
    });
  } else response.comparison = comparisons[0]!;
  return response;
}

function comparison(v: PredictItem, f: PredictItem, vo: PredictOutcome, fo: PredictOutcome) {
  return {
    vader_sentiment: round(v.prediction.sentiment),
    finbert_sentiment: round(f.prediction.sentiment),
    agreement: v.prediction.label === f.prediction.label,
    confidence_delta: round(f.prediction.confidence - v.prediction.confidence),
    vader_label: v.prediction.label,
    finbert_label: f.prediction.label,
    vader_version: vo.version,
    finbert_version: fo.version,
  };
}

interface FeatureResult {
  features?: Record<string, number>;
  warning?: string;
}

/** Features enrich an answer; a store that is slow or down costs the features, never the answer. */
async function readFeatures(
  app: FastifyInstance,
  req: FastifyRequest,
  ticker: string | undefined,
): Promise<FeatureResult> {
  if (!ticker) return {};
  if (!app.features) return { warning: `features for ${ticker} are not available on this server (no store)` };
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      app.features(ticker.toUpperCase()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${FEATURE_TIMEOUT_MS} ms`)),
          FEATURE_TIMEOUT_MS,
        );
      }),
    ]);
    if (!found) return { warning: `no stored features for ${ticker.toUpperCase()}` };
    const features = Object.fromEntries(Object.entries(found).filter(([, v]) => Number.isFinite(v)));
    return { features };
  } catch (error) {
    req.log.warn(
      { ticker, error: describeError(error) },
      'feature lookup failed; answering without features',
    );
    return { warning: `features for ${ticker.toUpperCase()} are unavailable right now` };
  } finally {
    clearTimeout(timer);
  }
}

function respond(
  outcome: PredictOutcome,
  f: FeatureResult,
  ticker: string | undefined,
  batch: boolean,
  elapsedMs: number,
): SingleResponse | BatchResponse {
  const ms = round(elapsedMs);
  const featuresCount = f.features ? Object.keys(f.features).length : 0;
  const items = outcome.items.map((x) => ({
    prediction_id: x.id,
    prediction: body(x.prediction, outcome.family, featuresCount),
    performance: { response_time_ms: ms, model_version: outcome.version, cache_hit: x.cacheHit },
  }));
  const extra = {
    arm: outcome.arm,
    ...(ticker ? { ticker: ticker.toUpperCase() } : {}),
    ...(f.features ? { features: f.features } : {}),
    ...(f.warning ? { warnings: [f.warning] } : {}),
  };
  if (!batch) return { ...items[0]!, ...extra };
  return {
    results: items,
    performance: {
      response_time_ms: ms,
      model_version: outcome.version,
      cache_hits: outcome.items.filter((x) => x.cacheHit).length,
      batch_size: items.length,
    },
    ...extra,
  };
}

function body(p: Prediction, family: string, featuresCount: number) {
  return {
    label: p.label,
    sentiment: round(p.sentiment),
    confidence: round(p.confidence),
    price_direction: priceDirection(p.sentiment),
    model_used: family,
    features_count: featuresCount,
    scores: {
      positive: round(p.scores.positive),
      negative: round(p.scores.negative),
      neutral: round(p.scores.neutral),
    },
  };
}

/** The A/B key: the x-client-id header, or the client's IP when it sends none. */
function clientId(req: FastifyRequest): string {
  const header = req.headers[CLIENT_ID_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && value.trim() !== '' ? value.trim().slice(0, 256) : `ip:${req.ip}`;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
