import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../specs/meta.ts';
import type { Store, StoredToken } from '../../specs/store/types.ts';
import { generateToken, hashToken, tokenId } from '../auth/tokens.ts';
import { HttpProblem, notFound } from '../errors.ts';
import { CreatedToken, SCOPES, TokenInfo, V1_PROBLEMS, problems } from '../schemas.ts';
import type { TypeBoxProvider } from '../typebox.ts';

const tags = ['tokens'];
const CreateBody = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$', description: 'who or what uses it, e.g. ci-chat' }),
    scopes: Type.Array(StringEnum(SCOPES), { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }, { additionalProperties: false });

const info = (t: StoredToken) => ({ id: tokenId(t.hash), name: t.name, scopes: t.scopes as (typeof SCOPES)[number][], createdAt: t.createdAt });

export const tokenRoutes: FastifyPluginAsync<{ store: Store; now: () => Date }> = async (plugin, { store, now }) => {
  const app = plugin.withTypeProvider<TypeBoxProvider>();
  const admin = { scope: 'admin' as const };

  app.post('/tokens', {
    config: admin,
    schema: { tags, summary: 'Create an API token (shown once)', body: CreateBody, response: { 201: CreatedToken, ...problems(...V1_PROBLEMS, 409) } },
  }, async (request, reply) => {
    const { name, scopes } = request.body;
    if ((await store.listTokens()).some((t) => t.name === name)) throw new HttpProblem(409, `a token named ${name} exists: delete it first`);
    const token = generateToken();
    const stored: StoredToken = { hash: hashToken(token), name, scopes, createdAt: now().toISOString() };
    await store.putToken(stored);
    request.log.info({ tokenId: tokenId(stored.hash), name, scopes }, 'token created');
    return reply.code(201).send({ ...info(stored), token });
  });

  app.get('/tokens', {
    config: admin,
    schema: { tags, summary: 'List API tokens (never the tokens or their hashes)', response: { 200: Type.Object({ items: Type.Array(TokenInfo) }), ...problems(...V1_PROBLEMS) } },
  }, async () => ({ items: (await store.listTokens()).map(info).sort((a, b) => a.name.localeCompare(b.name)) }));

  app.delete('/tokens/:id', {
    config: admin,
    schema: { tags, summary: 'Revoke an API token', params: IdParams, response: { 200: TokenInfo, ...problems(...V1_PROBLEMS, 404, 409) } },
  }, async (request) => {
    const matches = (await store.listTokens()).filter((t) => tokenId(t.hash) === request.params.id);
    if (matches.length === 0) throw notFound(`token ${request.params.id}`);
    if (matches.length > 1) throw new HttpProblem(409, `id ${request.params.id} is ambiguous`);
    await store.deleteToken(matches[0].hash);
    request.log.info({ tokenId: request.params.id, name: matches[0].name }, 'token revoked');
    return info(matches[0]);
  });
};
