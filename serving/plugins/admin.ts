import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { adminGuard } from '../admin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Guard for admin routes (call it from preParsing): Bearer FINSENT_ADMIN_TOKEN, constant-time, refusals audited. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Whether admin routes are enabled (a token is configured). */
    adminEnabled: boolean;
    /** Per-route rate limit for admin routes: `config: { rateLimit: app.adminRateLimit }`. */
    adminRateLimit: { max: number; timeWindow: number } | false;
  }
}

const admin: FastifyPluginAsync<{
  token?: string | undefined;
  rateLimit: { max: number; timeWindow: number } | false;
}> = async (app, opts) => {
  app.decorate(
    'requireAdmin',
    adminGuard(opts.token, (entry) => app.audit(entry)),
  );
  app.decorate('adminEnabled', Boolean(opts.token));
  app.decorate<{ max: number; timeWindow: number } | false>('adminRateLimit', opts.rateLimit);
};

export const adminPlugin = fp(admin, {
  name: 'finsent-admin',
  fastify: '5.x',
  dependencies: ['finsent-store'],
});
