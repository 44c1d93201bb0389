import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** Swagger UI loads its own scripts, styles and images from /docs: the only place the CSP is relaxed. */
const DOCS_CSP = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"], fontSrc: ["'self'", 'data:'], objectSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'self'"],
    },
  },
};

/** The OpenAPI generator: registered on the root before any route, so it sees them all. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'terrace', version: 'v1', description: 'Environments and Targets, reconciled tier by tier onto AWS.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token; scopes: read, write, operate, admin' } } },
      tags: [
        { name: 'environments' }, { name: 'operations' }, { name: 'previews' }, { name: 'targets' }, { name: 'tokens' }, { name: 'health' },
      ],
    },
  });
}

/** Swagger UI at /docs and the document at /docs/json. */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, helmet: DOCS_CSP } as typeof route.config;
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } as never });
};
