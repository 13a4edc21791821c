import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { HttpError } from '../errors';
import type { RateLimitOptions } from '../options';

export interface SecurityOptions {
  corsOrigins: readonly string[];
  rateLimit: RateLimitOptions | false;
}

/** Routes that must answer even when the server is overloaded or a client is rate limited. */
export const PROBE_ROUTES = new Set(['/health', '/metrics']);

/**
 * helmet's headers for these options, computed once. (@fastify/helmet builds helmet's middleware
 * again on every request, about 4 % of the API's CPU in a profile; the headers never change.)
 *
 *   securityHeaders({})['x-content-type-options']  // → 'nosniff'
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(options)({} as never, res as never, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * Security headers (helmet), the CORS allowlist and per-IP rate limiting (429 + Retry-After).
 * Health and metrics are exempt from the limit: a load balancer that sees its probe fail under
 * load would restart a server that is merely busy. Overload shedding is ./overload.ts.
 */
const security: FastifyPluginAsync<SecurityOptions> = async (app, opts) => {
  const headers = securityHeaders({
    // Plain http on localhost must keep working: no forced upgrade of sub-resources.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    // Bodies are read as they arrive; a compressed one would otherwise fail as "not valid JSON"
    // (or, mislabelled, be read as plain). RFC 9110 §15.5.16: an unsupported coding is a 415.
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
      done(
        new HttpError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `content-encoding "${coding.slice(0, 40)}" is not accepted: send the body uncompressed`,
        ),
      );
      return;
    }
    done();
  });
  const allowed = new Set(opts.corsOrigins);
  await app.register(cors, {
    origin:
      allowed.size === 0 ? false : (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-client-id'],
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ],
    maxAge: 600,
  });
  if (opts.rateLimit) {
    await app.register(rateLimit, {
      global: true,
      max: opts.rateLimit.max,
      timeWindow: opts.rateLimit.timeWindowMs,
      errorResponseBuilder: (_request, context) =>
        new HttpError(
          429,
          'RATE_LIMITED',
          `too many requests: at most ${context.max} per ${context.after} from one client; retry after the seconds in Retry-After`,
        ),
    });
  }
};

export const securityPlugin = fp(security, { name: 'finsent-security', fastify: '5.x' });
