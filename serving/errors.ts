import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type ErrorCode, isFinsentError } from '../lib/errors';

/** Every code an API error body can carry: the library's codes plus the HTTP-only ones. */
export type ApiErrorCode =
  | ErrorCode
  | 'INVALID_JSON'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'ADMIN_DISABLED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SHUTTING_DOWN'
  | 'BAD_REQUEST'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE'
  | 'INTERNAL';

/** `{ "error": { "code", "message" } }`: the only shape an error ever leaves the API in. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({
          description: 'Machine-readable, e.g. INVALID_INPUT, UNKNOWN_MODEL, RATE_LIMITED',
        }),
        message: Type.String({ description: 'What was wrong and what to do about it' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'An error' },
);

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  const all = new Set([400, 429, 500, 503, ...statuses]);
  return Object.fromEntries([...all].map((s) => [s, ErrorBody]));
}

/** An error raised at the HTTP edge with its status, code and public message. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

interface ApiError {
  status: number;
  code: ApiErrorCode;
  message: string;
}

const FINSENT_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNKNOWN_MODEL: 400,
  MODEL_UNAVAILABLE: 503,
  OVERLOADED: 503,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DATA_ERROR: 500,
  CONFIG_ERROR: 500,
  STORE_ERROR: 503,
  SOURCE_ERROR: 502,
  REGISTRY_ERROR: 502,
};

/** FinsentError messages are written for people; these codes are shown as they are even at 5xx. */
const PUBLIC_5XX = new Set<ErrorCode>(['MODEL_UNAVAILABLE', 'OVERLOADED']);

const GENERIC: Record<number, string> = {
  500: 'internal error: the request could not be completed; the server log has the details (quote the x-request-id header)',
  502: 'an upstream service (the model registry or a data source) failed; retry later',
  503: 'a backing service is unavailable right now; retry later',
};

const INVALID_JSON_MESSAGE =
  'the request body is not valid JSON (or has a "__proto__" or "constructor.prototype" key, which is refused)';

/** Maps anything thrown while handling a request to a status, a code and a message safe to show. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof HttpError)
    return { status: error.statusCode, code: error.code, message: error.message };
  if (isFinsentError(error)) {
    const status = FINSENT_STATUS[error.code] ?? 500;
    const message =
      status < 500 || PUBLIC_5XX.has(error.code) ? error.message : (GENERIC[status] ?? GENERIC[500]!);
    return { status, code: error.code, message };
  }
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (Array.isArray(e.validation))
    return { status: 400, code: 'INVALID_INPUT', message: validationMessage(e) };
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Fastify drops the parser's reason; prototype-poisoning keys are refused the same way.
      return { status: 400, code: 'INVALID_JSON', message: INVALID_JSON_MESSAGE };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'INVALID_JSON', message: 'the request body is empty: send a JSON object' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'the request body is larger than this server accepts: send fewer or shorter texts',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'send the body as JSON with "content-type: application/json"',
      };
    case 'FST_UNDER_PRESSURE':
      return {
        status: 503,
        code: 'OVERLOADED',
        message: 'the server is overloaded; retry after the number of seconds in Retry-After',
      };
  }
  if (e instanceof SyntaxError || e.name === 'SyntaxError') {
    return { status: 400, code: 'INVALID_JSON', message: 'the request body is not valid JSON' };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 429) return { status, code: 'RATE_LIMITED', message: e.message ?? 'too many requests' };
  // Fastify's own 4xx messages describe the request, not the server; anything 5xx is hidden.
  if (status >= 400 && status < 500) {
    return {
      status,
      code: status === 404 ? 'NOT_FOUND' : 'INVALID_INPUT',
      message: e.message ?? 'bad request',
    };
  }
  return {
    status: status >= 500 && status < 600 ? status : 500,
    code: 'INTERNAL',
    message: GENERIC[status] ?? GENERIC[500]!,
  };
}

/** "body/texts must NOT have more than 64 items" → a sentence naming the field and the rule. */
function validationMessage(e: Partial<FastifyError> & { validation?: unknown }): string {
  const first = (
    e.validation as {
      instancePath?: string;
      keyword?: string;
      message?: string;
      params?: Record<string, unknown>;
    }[]
  )[0];
  const where = `${e.validationContext ?? 'request'}${(first?.instancePath ?? '').replace(/\//g, '.')}`;
  if (!first) return `${where} is invalid`;
  if (first.keyword === 'additionalProperties') {
    return `${where} has an unknown property "${String(first.params?.additionalProperty)}"; remove it (see /docs for the fields)`;
  }
  if (first.keyword === 'enum' && Array.isArray(first.params?.allowedValues))
    return `${where} must be one of ${(first.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (first.keyword === 'required')
    return `${where} is missing the required property "${String(first.params?.missingProperty)}"`;
  return `${where} ${first.message ?? 'is invalid'}`;
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(error);
  if (api.status >= 500 && api.code !== 'OVERLOADED')
    request.log.error({ err: error, code: api.code }, 'request failed');
  else request.log.info({ code: api.code, status: api.status, reason: api.message }, 'request refused');
  if (error instanceof HttpError) reply.headers(error.headers);
  void reply.code(api.status).send({ error: { code: api.code, message: api.message } });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).send({
    error: {
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}: see /docs for the API`,
    },
  });
}

/** What a request Node's HTTP parser refused (before Fastify saw it) gets back, by parser error code. */
function clientError(code: string | undefined): { status: number; code: ApiErrorCode; message: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      code: 'REQUEST_TIMEOUT',
      message: 'the request was not received in time: send the whole request at once',
    };
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      message: `the request headers (with the URL) are larger than this server accepts (${Math.round(maxHeaderSize / 1024)} KiB): shorten them`,
    };
  return { status: 400, code: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' };
}

/**
 * Fastify's `clientErrorHandler`: requests the HTTP parser refuses (malformed, headers too large,
 * too slow) get the API's one error shape too, instead of Fastify's default body.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  // A reset or already-closed connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const api = clientError(error.code);
  this.log.debug({ code: api.code, parserCode: error.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify({ error: { code: api.code, message: api.message } });
    socket.write(
      `HTTP/1.1 ${api.status} ${STATUS_CODES[api.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
