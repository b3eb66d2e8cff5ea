import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as R from './replies.ts';
import Type, { type Static } from 'typebox';
import type { Role } from '../roles.ts';
import { ROLES } from '../roles.ts';
import type { OAuthClient, OAuthClients } from './clients.ts';
import type { SigningKeys } from '../signing-keys.ts';
import { authorizationServerMetadata } from './metadata.ts';
import type { OAuthTokens } from './tokens.ts';

const RegisterBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    org: Type.String({ minLength: 2, maxLength: 63 }),
    roles: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { minItems: 1, maxItems: 6 }),
    scopes: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 64 }),
  },
  { additionalProperties: false },
);
const FormBody = Type.Record(Type.String(), Type.String({ maxLength: 8192 }));

/** RFC 6749 §5.2 error response: the OAuth standard's shape, not msec's, on these endpoints. */
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="msec"');
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** client_secret_basic (RFC 6749 §2.3.1, form-encoded id and secret) or client_secret_post. */
async function authenticateClient(
  req: FastifyRequest<{ Body: Record<string, string> }>,
  clients: OAuthClients,
): Promise<OAuthClient | undefined> {
  const header = req.headers.authorization;
  let id: string | undefined;
  let secret: string | undefined;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  } else {
    id = req.body.client_id;
    secret = req.body.client_secret;
  }
  if (!id || !secret || id.length > 256 || secret.length > 512) return undefined;
  return clients.authenticate(id, secret);
}

export async function oauthRoutes(
  app: FastifyInstance,
  deps: { clients: OAuthClients; tokens: OAuthTokens; keys: SigningKeys },
): Promise<void> {
  const { clients, tokens } = deps;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.post<{ Body: Static<typeof RegisterBody> }>(
    '/oauth/clients',
    {
      config: {
        security: {
          action: 'iam:oauth-client:create',
          resource: (req) => ({ type: 'oauth-client', org: (req.body as { org: string }).org }),
        },
      },
      schema: {
        tags: ['oauth'],
        summary: 'Register a machine client (client-credentials grant); the secret is shown once',
        response: { 201: R.Client },
        body: RegisterBody,
        security: [{ bearerAuth: [] }],
      },
    },
    async (req, reply) => {
      const c = await clients.register({
        name: req.body.name,
        orgId: req.body.org,
        roles: req.body.roles as Role[],
        scopes: req.body.scopes,
      });
      reply.code(201);
      return { clientId: c.clientId, clientSecret: c.clientSecret, principalId: c.principalId, scopes: c.scopes };
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/oauth/token',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['oauth'],
        summary: 'OAuth 2.0 token endpoint: client-credentials grant (RFC 6749 §4.4)',
        response: { 200: R.Token, ...R.oauthErrors },
        body: FormBody,
      },
    },
    async (req, reply) => {
      const client = await authenticateClient(req, clients);
      if (!client) return oauthError(reply, 401, 'invalid_client', 'client authentication failed');
      if (req.body.grant_type !== 'client_credentials')
        return oauthError(reply, 400, 'unsupported_grant_type', 'only client_credentials is supported');
      const scopes = tokens.grantScopes(client, req.body.scope);
      if (!scopes)
        return oauthError(reply, 400, 'invalid_scope', 'a requested scope is not registered for this client');
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return tokens.issue(client, scopes, tokens.issuer.of(req));
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/oauth/introspect',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['oauth'],
        summary: 'Token introspection (RFC 7662), for registered clients',
        body: FormBody,
        response: { 200: R.Introspection, ...R.oauthErrors },
      },
    },
    async (req, reply) => {
      if (!(await authenticateClient(req, clients)))
        return oauthError(reply, 401, 'invalid_client', 'client authentication failed');
      return tokens.introspect(req.body.token ?? '');
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/oauth/revoke',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['oauth'],
        summary: 'Token revocation (RFC 7009)',
        body: FormBody,
        response: { 200: R.Revoked, ...R.oauthErrors },
      },
    },
    async (req, reply) => {
      const client = await authenticateClient(req, clients);
      if (!client) return oauthError(reply, 401, 'invalid_client', 'client authentication failed');
      await tokens.revoke(req.body.token ?? '', client.clientId);
      return reply.code(200).send();
    },
  );

  app.get(
    '/oauth/jwks',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['oauth'],
        summary: 'Public keys that sign OAuth access tokens (JWKS)',
        response: { 200: R.Jwks },
      },
    },
    async () => deps.keys.jwks(),
  );

  app.get(
    '/oauth/metadata',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['oauth'],
        summary: 'Authorization server metadata (RFC 8414; also at /.well-known/)',
        response: { 200: R.Metadata },
      },
    },
    async (req) => authorizationServerMetadata(tokens.issuer.of(req), { tokenEndpoints: true }),
  );
}
