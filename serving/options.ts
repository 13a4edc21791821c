import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { FinsentEnv } from '../lib/env';
import type { ArtifactSource, FamilyRegistry } from '../models/families';
import type { Cache } from '../pipeline/cache/types';
import type { PredictionLogOptions } from '../pipeline/predictions/log';
import type { Db } from '../pipeline/store/db';
import type { ConfigSource } from './pool/watch';

/**
 * The store's latest features for a ticker (helper `store` provides `latestFeatures(db, ticker)`;
 * wire it as `(t) => latestFeatures(db, t)`). Undefined means "no features stored for it".
 */
export type FeatureReader = (ticker: string) => Promise<Record<string, number> | undefined>;

/** Everything buildApp needs. Services are handed in so tests can pass fakes, PGlite and MemoryCache. */
export interface AppOptions {
  env: FinsentEnv;
  families: FamilyRegistry;
  /** The model registry, for families whose versions are released artifacts. */
  artifacts?: ArtifactSource;
  /** Where config/models.yaml is read from; default the file in the checkout. */
  configSource?: ConfigSource;
  /** How often the config source is polled for a new champion/split/shadow; 0 disables polling. */
  configPollMs?: number;
  /** Families to keep loaded; default every family of the config that `families` knows. */
  serveFamilies?: readonly string[];
  /** Prediction log, audit log and /models/performance; absent → those are disabled (and /health says so). */
  db?: Db;
  /** Prediction cache backend; absent → no cache. */
  cache?: Cache;
  features?: FeatureReader;
  /** Overrides FINSENT_ADMIN_TOKEN from `env` (tests). */
  adminToken?: string;
  limits?: Partial<Limits>;
  rateLimit?: RateLimitOptions | false;
  /** Origins allowed by CORS; empty → no cross-origin access. */
  corsOrigins?: readonly string[];
  underPressure?: UnderPressureOptions | false;
  predictionLog?: PredictionLogOptions;
  /** Keep the normalised text in the prediction log (default true; FINSENT_LOG_TEXT=0 turns it off). */
  logText?: boolean;
  cacheTtlSeconds?: number;
  cacheTimeoutMs?: number;
  shadowQueue?: number;
  /** Model load + verification timeout. */
  loadTimeoutMs?: number;
  /** `false` silences logs (tests); an object is passed to pino; an instance is used as is. */
  logger?: boolean | FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Behind a proxy (Render), take the client IP from X-Forwarded-For: true, or the proxies' addresses/CIDRs. */
  trustProxy?: boolean | string;
  /** Serve the OpenAPI document and UI at /docs (default true). */
  docs?: boolean;
  /** prom-client default process metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * Plugins registered after the built-in routes and before the app is ready (the production
   * wiring adds POST /feedback and the drift gauges here; see serving/wire.ts).
   */
  extensions?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

export interface Limits {
  /** Texts per request. */
  maxBatch: number;
  /** Characters per text. */
  maxTextLength: number;
  /** Bytes per request body. */
  bodyLimit: number;
  /** A client that has not sent its whole request by then is cut (ms). */
  requestTimeoutMs: number;
}

export interface RateLimitOptions {
  /** Requests per client IP per window, on every route but /health and /metrics. */
  max: number;
  timeWindowMs: number;
  /** The stricter limit of the admin routes (slows token guessing). */
  adminMax: number;
}

export interface UnderPressureOptions {
  /** Mean event-loop delay (ms) above which requests get 503 + Retry-After. */
  maxEventLoopDelayMs: number;
  /**
   * Event-loop utilisation (0..1) above which requests get 503; 0 = not used. Off by default: a
   * server at full throughput is ~1.0 utilised while still answering in milliseconds, so this
   * would shed load exactly when the server is doing its job; the delay threshold measures harm.
   */
  maxEventLoopUtilization: number;
  sampleIntervalMs: number;
  retryAfterS: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBatch: 64,
  maxTextLength: 5000,
  bodyLimit: 1024 * 1024,
  requestTimeoutMs: 30_000,
};

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 1200, timeWindowMs: 60_000, adminMax: 20 };

export const DEFAULT_UNDER_PRESSURE: UnderPressureOptions = {
  maxEventLoopDelayMs: 500,
  maxEventLoopUtilization: 0,
  sampleIntervalMs: 1000,
  retryAfterS: 5,
};

export const DEFAULT_CONFIG_POLL_MS = 30_000;
