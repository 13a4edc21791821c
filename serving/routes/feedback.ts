import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isFinsentError } from '../../lib/errors';
import { LABELS, type Label } from '../../models/types';
import { recordFeedback } from '../../pipeline/monitor/feedback';
import type { Db } from '../../pipeline/store/db';
import { toApiError } from '../errors';

/** Who may send feedback; null/false/undefined refuses the request. */
export type FeedbackAuthenticate = (
  request: FastifyRequest,
) => string | boolean | null | undefined | Promise<string | boolean | null | undefined>;

export interface FeedbackRoutesOptions {
  db: Db;
  authenticate: FeedbackAuthenticate;
}

/**
 * `Authorization: Bearer <token>` against the admin token and the feedback token (either may be
 * unset; with both unset every call is refused). Compared in constant time.
 */
export function tokenAuthenticator(tokens: {
  adminToken?: string;
  feedbackToken?: string;
}): FeedbackAuthenticate {
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  return (request) => {
    const header = request.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return null;
    if (tokens.adminToken && same(m[1]!, tokens.adminToken)) return 'admin';
    if (tokens.feedbackToken && same(m[1]!, tokens.feedbackToken)) return 'feedback-token';
    return null;
  };
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const feedbackSchema = {
  type: 'object',
  properties: {
    feedback: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        prediction_id: { type: ['string', 'null'] },
        text_hash: { type: 'string' },
        label: { type: 'string', enum: [...LABELS] },
        source: { type: 'string' },
        matched_predictions: { type: 'integer' },
        created: { type: 'boolean' },
      },
      required: ['id', 'prediction_id', 'text_hash', 'label', 'source', 'matched_predictions', 'created'],
    },
  },
  required: ['feedback'],
} as const;

interface FeedbackBody {
  prediction_id?: string;
  text?: string;
  label: Label;
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

/**
 * POST /feedback {prediction_id | text, label}: the ground truth that turns the prediction log
 * into rolling accuracy and macro-F1. Admin token or feedback token required.
 *
 * @example app.register(feedbackRoutes, { db, authenticate: tokenAuthenticator({ adminToken, feedbackToken }) })
 */
export const feedbackRoutes: FastifyPluginAsync<FeedbackRoutesOptions> = async (app, options) => {
  const { db, authenticate } = options;
  app.post<{ Body: FeedbackBody }>(
    '/feedback',
    {
      attachValidation: true,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            prediction_id: { type: 'string', minLength: 1, maxLength: 200 },
            text: { type: 'string', minLength: 1, maxLength: 10_000 },
            label: { type: 'string', enum: [...LABELS] },
          },
          required: ['label'],
        },
        response: {
          200: feedbackSchema,
          201: feedbackSchema,
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
          500: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const caller = await authenticate(request);
      if (!caller) {
        reply.header('www-authenticate', 'Bearer realm="finsent"');
        return fail(reply, 401, 'UNAUTHORIZED', 'send Authorization: Bearer <admin token or feedback token>');
      }
      if (request.validationError) {
        return fail(
          reply,
          400,
          'INVALID_INPUT',
          `${toApiError(request.validationError).message}: send {"prediction_id": "...", "label": "positive|negative|neutral"} or {"text": "...", "label": ...}`,
        );
      }
      try {
        const r = await recordFeedback(db, {
          ...(request.body.prediction_id !== undefined ? { predictionId: request.body.prediction_id } : {}),
          ...(request.body.text !== undefined ? { text: request.body.text } : {}),
          label: request.body.label,
          submittedBy: typeof caller === 'string' ? caller : 'authenticated',
        });
        return reply.code(r.created ? 201 : 200).send({
          feedback: {
            id: r.id,
            prediction_id: r.predictionId,
            text_hash: r.textHash,
            label: r.label,
            source: r.source,
            matched_predictions: r.matchedPredictions,
            created: r.created,
          },
        });
      } catch (error) {
        if (isFinsentError(error) && (error.code === 'INVALID_INPUT' || error.code === 'NOT_FOUND')) {
          return fail(reply, error.code === 'NOT_FOUND' ? 404 : 400, error.code, error.message);
        }
        request.log.error({ err: error }, 'feedback could not be stored');
        return fail(reply, 500, 'INTERNAL', 'feedback could not be stored; try again later');
      }
    },
  );
};
