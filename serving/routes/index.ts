import type { FastifyInstance } from 'fastify';
import { healthRoutes } from './health';
import { metricsRoutes } from './metrics';
import { modelsRoutes } from './models';
import { predictRoutes } from './predict';
import type { RoutesOptions } from './types';

/**
 * A route plugin: registered after every service plugin, so it may use app.models, app.predictor,
 * app.store, app.audit, app.requireAdmin, app.adminRateLimit, app.metrics…
 */
export type RoutePlugin = (app: FastifyInstance, opts: RoutesOptions) => Promise<void>;

/**
 * Every route of the API, in registration order. Add a route file by appending its plugin here,
 * e.g. `feedbackRoutes` from ./feedback (helper `monitor`).
 */
export const ROUTES: RoutePlugin[] = [predictRoutes, modelsRoutes, healthRoutes, metricsRoutes];

export type { RoutesOptions };
