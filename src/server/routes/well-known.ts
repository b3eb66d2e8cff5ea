import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { openObject } from '../../core/index.ts';
import { authorizationServerMetadata, OAuthIssuer } from '../../iam/index.ts';
import type { ServerContext } from '../context.ts';

/**
 * Discovery at the root, where RFC 8414 and OpenID Connect Discovery clients look: the metadata's
 * `issuer` is the URL it was fetched under (or MSEC_PUBLIC_URL), the same `iss` msec's OAuth tokens carry.
 */
export async function wellKnownRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  opts: { tokenEndpoints: boolean },
): Promise<void> {
  const issuer = new OAuthIssuer(ctx.config.publicUrl);
  const metadata = (req: { protocol: string; host: string }) => authorizationServerMetadata(issuer.of(req), opts);
  const tags = ['oauth'];
  const Metadata = openObject({ issuer: Type.String(), jwks_uri: Type.String() }, { description: 'RFC 8414 metadata' });
  const Jwks = openObject(
    { keys: Type.Array(openObject({ kid: Type.String() })) },
    { description: 'RFC 7517 key set' },
  );
  app.get(
    '/.well-known/oauth-authorization-server',
    {
      config: { security: { public: true } },
      schema: { tags, summary: 'Authorization server metadata (RFC 8414)', response: { 200: Metadata } },
    },
    async (req) => metadata(req),
  );
  app.get(
    '/.well-known/openid-configuration',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary: 'The same metadata where OpenID Connect Discovery looks for it',
        response: { 200: Metadata },
      },
    },
    async (req) => metadata(req),
  );
  app.get(
    '/.well-known/jwks.json',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary: 'Keys that sign msec access and OAuth tokens, the retiring ones included',
        response: { 200: Jwks },
      },
    },
    async (_req, reply) => {
      // Clients cache it; a rotation is visible within a minute.
      reply.header('cache-control', 'public, max-age=60');
      return ctx.iam.signingKeys.jwks();
    },
  );
}
