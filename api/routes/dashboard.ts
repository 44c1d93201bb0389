import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';

// The dashboard: static files of the built page (dist/web/), public since they hold no data, and `GET /v1/whoami`,
// which tells any client (the page among them) what its token may do.

/** The page loads its own script and stylesheet and talks to this origin only: no inline code, no CDN. */
export const DASHBOARD_CSP = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"],
      manifestSrc: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], objectSrc: ["'none'"],
    },
  },
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the files the build put in `root` at `/<file>` and index.html at `/`. Only files present at start with a
 * known type get a route, so no request path ever reaches the file system. Without a build, `/` says how to make one.
 */
export const dashboardRoutes: FastifyPluginAsync<{ root?: URL }> = async (app, { root }) => {
  const dir = root && fileURLToPath(root);
  const files = dir && existsSync(dir) ? readdirSync(dir).filter((f) => TYPES[extname(f)]) : [];
  const config = { helmet: DASHBOARD_CSP } as object;
  const hide = { schema: { hide: true } };

  const serve = (file: string) => async (_request: unknown, reply: import('fastify').FastifyReply) =>
    // Read per request: a rebuild while the server runs is served at once; no-cache makes browsers revalidate.
    reply.type(TYPES[extname(file)]).header('cache-control', 'no-cache').send(readFileSync(`${dir}/${file}`));

  if (files.includes('index.html')) app.get('/', { config, ...hide }, serve('index.html'));
  else {
    app.get('/', { ...hide }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build` (npm start and npm test build it too).\n'));
  }
  for (const file of files) app.get(`/${file}`, { config, ...hide }, serve(file));
};

const Whoami = Type.Object({
  name: Type.String({ description: 'the token\'s name (admin for the admin token)' }),
  id: Type.String({ description: 'the token\'s public handle (the first 12 hex digits of its sha256)' }),
  scopes: Type.Array(Type.String()),
});

/** `GET /v1/whoami`: the calling token's name and scopes (never the token), so clients show only what it may do. */
export const whoamiRoutes: FastifyPluginAsync = async (plugin) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  app.get('/whoami', {
    config: { scope: 'read' },
    schema: { tags: ['tokens'], summary: 'The calling token: its name and scopes', response: { 200: Whoami, ...problems(...V1_PROBLEMS) } },
  }, async (request) => {
    const { name, id, scopes } = request.principal!;
    return { name, id, scopes };
  });
};
