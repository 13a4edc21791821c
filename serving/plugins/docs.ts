import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI 3 built from the route schemas, served at /docs (UI) and /docs/json. */
const docs: FastifyPluginAsync = async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'finsent API',
        description:
          'Financial-news sentiment: VADER and FinBERT behind one API, with A/B routing, shadow scoring and hot-swapped champions. Errors are always `{ "error": { "code", "message" } }`.',
        version: '0.1.0',
      },
      tags: [
        { name: 'predict', description: 'Score headlines' },
        { name: 'models', description: 'What is served, how well, and switching it' },
        { name: 'ops', description: 'Health and metrics' },
      ],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'FINSENT_ADMIN_TOKEN' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
};

export const docsPlugin = fp(docs, { name: 'finsent-docs', fastify: '5.x' });
