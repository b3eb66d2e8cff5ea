import type { FastifyInstance } from 'fastify';
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
  app.get(
    '/.well-known/oauth-authorization-server',
    { config: { security: { public: true } }, schema: { tags, summary: 'Authorization server metadata (RFC 8414)' } },
    async (req) => metadata(req),
  );
  app.get(
    '/.well-known/openid-configuration',
    {
      config: { security: { public: true } },
      schema: { tags, summary: 'The same metadata where OpenID Connect Discovery looks for it' },
    },
    async (req) => metadata(req),
  );
  app.get(
    '/.well-known/jwks.json',
    {
      config: { security: { public: true } },
      schema: { tags, summary: 'Keys that sign msec access and OAuth tokens, the retiring ones included' },
    },
    async (_req, reply) => {
      // Clients cache it; a rotation is visible within a minute.
      reply.header('cache-control', 'public, max-age=60');
      return ctx.iam.signingKeys.jwks();
    },
  );
}
