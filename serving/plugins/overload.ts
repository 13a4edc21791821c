import underPressure from '@fastify/under-pressure';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors';
import type { UnderPressureOptions } from '../options';
import { PROBE_ROUTES } from './security';

/**
 * under-pressure samples the event loop with a 10 ms timer; a sample interval near that records
 * no delay sample in some intervals, which under-pressure reads as an infinite delay (and sheds
 * everything until the next interval). Ten samples per interval is the least that means anything.
 */
export const MIN_SAMPLE_INTERVAL_MS = 100;

/**
 * Overload shedding: 503 `OVERLOADED` + Retry-After while the mean event-loop delay is above the
 * threshold; /health and /metrics are exempt (a probe that fails under load gets a merely busy
 * server restarted).
 *
 * Registered after the models are loaded, not with the other security plugins: its delay
 * histogram starts when it is registered, and a model load blocks the loop for seconds (ONNX
 * session creation, the VADER lexicon). Measured from the start, that startup work read as
 * overload and the first requests after `listen` were shed (a flaky 503 in the `npm start` test).
 */
const overload: FastifyPluginAsync<UnderPressureOptions> = async (app, up) => {
  if (up.sampleIntervalMs < MIN_SAMPLE_INTERVAL_MS) {
    throw new Error(
      `underPressure.sampleIntervalMs is ${up.sampleIntervalMs}; use at least ${MIN_SAMPLE_INTERVAL_MS} ms ` +
        '(the event-loop delay is sampled every 10 ms, and an interval without a sample reads as overload)',
    );
  }
  await app.register(underPressure, {
    maxEventLoopDelay: up.maxEventLoopDelayMs,
    maxEventLoopUtilization: up.maxEventLoopUtilization,
    sampleInterval: up.sampleIntervalMs,
    retryAfter: up.retryAfterS,
    pressureHandler: async (request, _reply, type) => {
      if (PROBE_ROUTES.has(request.routeOptions.url ?? '')) return;
      throw new HttpError(
        503,
        'OVERLOADED',
        `the server is overloaded (${type}); retry after ${up.retryAfterS} s`,
        { 'retry-after': String(up.retryAfterS) },
      );
    },
  });
};

export const overloadPlugin = fp(overload, { name: 'finsent-overload', fastify: '5.x' });
