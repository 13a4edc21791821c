import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors';
import {
  type AppOptions,
  DEFAULT_CONFIG_POLL_MS,
  DEFAULT_LIMITS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_UNDER_PRESSURE,
  type Limits,
} from './options';
import { adminPlugin } from './plugins/admin';
import { docsPlugin } from './plugins/docs';
import { metricsPlugin } from './plugins/metrics';
import { modelsPlugin } from './plugins/models';
import { overloadPlugin } from './plugins/overload';
import { predictionsPlugin } from './plugins/predictions';
import { securityPlugin } from './plugins/security';
import { storePlugin } from './plugins/store';
import { fileConfigSource } from './pool/watch';
import { ROUTES } from './routes/index';

export type { AppOptions } from './options';

/** pino settings: request ids on every line, and no credential ever written. */
export const LOG_REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'headers.cookie',
    'authorization',
    'token',
    'adminToken',
  ],
  censor: '[redacted]',
};

/**
 * Builds the API, ready to `inject()` or `listen()` (server.ts alone listens). Every service is
 * handed in, so tests pass fake model families, PGlite and a MemoryCache, and the server wires
 * the real ones. Resolves once the first config is applied (models loaded or their failures
 * recorded).
 *
 *   const app = await buildApp({ env: readEnv(), families: createFamilyRegistry(), db, cache });
 *   const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Apple beats estimates' } });
 *   res.json().prediction.label  // → 'positive'
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    // Ids are always ours: a client-supplied id could collide with another request's log rows.
    genReqId: () => randomUUID(),
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    // Requests the HTTP parser refuses get the API's error shape too (errors.ts).
    clientErrorHandler,
    // One log line per request (from the metrics plugin's onResponse hook) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Only JSON bodies: a text/plain body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain');
  // Bodies are validated strictly: no type coercion ({"text": 5} is an error, not "5") and no
  // silent removal (an unknown field is an error naming it). Query strings need coercion.
  const bodyAjv = new Ajv({
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  const queryAjv = new Ajv({
    coerceTypes: 'array',
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema),
  );
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  const env = options.env;
  const adminToken = options.adminToken ?? env.adminToken;
  const rate = options.rateLimit === false ? false : { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
  await app.register(metricsPlugin, { defaultMetrics: options.defaultMetrics ?? true });
  await app.register(securityPlugin, {
    corsOrigins: options.corsOrigins ?? [],
    rateLimit: rate,
  });
  if (options.docs !== false) await app.register(docsPlugin);
  await app.register(storePlugin, { db: options.db, features: options.features });
  await app.register(adminPlugin, {
    token: adminToken,
    rateLimit: rate ? { max: rate.adminMax, timeWindow: rate.timeWindowMs } : false,
  });
  await app.register(modelsPlugin, {
    env,
    families: options.families,
    artifacts: options.artifacts,
    configSource: options.configSource ?? fileConfigSource(),
    configPollMs: options.configPollMs ?? DEFAULT_CONFIG_POLL_MS,
    serveFamilies: options.serveFamilies,
    loadTimeoutMs: options.loadTimeoutMs,
  });
  await app.register(predictionsPlugin, {
    cache: options.cache,
    cacheTtlSeconds: options.cacheTtlSeconds,
    cacheTimeoutMs: options.cacheTimeoutMs,
    predictionLog: options.predictionLog,
    logText: options.logText ?? true,
    shadowQueue: options.shadowQueue,
  });
  // After the models: startup loading must not read as overload (see ./plugins/overload.ts).
  if (options.underPressure !== false)
    await app.register(overloadPlugin, { ...DEFAULT_UNDER_PRESSURE, ...options.underPressure });
  const routeOptions = { limits: { maxBatch: limits.maxBatch, maxTextLength: limits.maxTextLength } };
  for (const routes of ROUTES) await app.register(routes, routeOptions);
  for (const extension of options.extensions ?? []) await app.register(extension);
  await app.ready();
  return app;
}

function loggerOptions(
  logger: AppOptions['logger'],
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === false) return { logger: false };
  if (logger === undefined || logger === true) {
    return { logger: { level: process.env.FINSENT_LOG_LEVEL ?? 'info', redact: LOG_REDACT } };
  }
  if (
    typeof (logger as { child?: unknown }).child === 'function' &&
    typeof (logger as { info?: unknown }).info === 'function'
  ) {
    return { loggerInstance: logger as FastifyServerOptions['loggerInstance'] };
  }
  return { logger: { redact: LOG_REDACT, ...(logger as object) } as FastifyServerOptions['logger'] };
}
