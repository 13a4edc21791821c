import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../pipeline/predictions/audit';
import { HttpError } from './errors';

/** First 12 hex characters of the token's sha256: names WHICH token acted, never the token. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/** Constant-time: both sides are hashed to 32 bytes first, so neither content nor length leaks. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The guard of every admin route, run as a preParsing hook: after the rate limit, before the
 * body is parsed. No token configured → 503 ADMIN_DISABLED (the routes are off, whatever the
 * client sends); no or malformed Authorization → 401 with WWW-Authenticate; a wrong token → 403.
 * Refusals are audited without awaiting the store (the admin rate limit bounds how many).
 *
 *   const guard = adminGuard(token, audit);
 *   app.post('/models/select', { preParsing: async (req, rep, body) => (await guard(req, rep), body) }, handler);
 */
export function adminGuard(
  token: string | undefined,
  audit: (entry: AuditEntry) => Promise<void>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request) => {
    if (!token) {
      throw new HttpError(
        503,
        'ADMIN_DISABLED',
        'admin routes are disabled on this server: set FINSENT_ADMIN_TOKEN and restart to enable them',
      );
    }
    const header = request.headers.authorization;
    const refuse = (status: 401 | 403, why: string, message: string): never => {
      void audit({
        actor: 'anonymous',
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        outcome: 'denied',
        requestId: request.id,
        ip: request.ip,
        details: { reason: why },
      });
      throw new HttpError(
        status,
        status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
        message,
        status === 401 ? { 'www-authenticate': 'Bearer realm="finsent-admin"' } : {},
      );
    };
    if (!header)
      refuse(401, 'missing token', 'this route needs "Authorization: Bearer <FINSENT_ADMIN_TOKEN>"');
    const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header!);
    if (!match)
      refuse(401, 'malformed header', 'use the Bearer scheme: "Authorization: Bearer <FINSENT_ADMIN_TOKEN>"');
    if (!tokensEqual(match![1]!, token))
      refuse(403, 'wrong token', 'the admin token is not valid for this server');
    request.adminActor = `admin:${tokenFingerprint(token)}`;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by adminGuard on an authorised admin request: `admin:<token fingerprint>`. */
    adminActor?: string;
  }
}
