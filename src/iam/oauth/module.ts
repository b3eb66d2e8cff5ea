import type { PlatformModule } from '../../core/index.ts';
import { IAM } from '../service.ts';
import { OAuthClients } from './clients.ts';
import { oauthRoutes } from './routes.ts';
import { oauthMigrations } from './schema.ts';
import { OAuthIssuer, OAuthTokens } from './tokens.ts';

/** msec as an OAuth 2.0 authorization server for machine clients (client-credentials grant). */
export function oauthModule(): PlatformModule {
  let deps: { clients: OAuthClients; tokens: OAuthTokens } | undefined;
  return {
    name: 'iam-oauth',
    needs: [IAM],
    migrations: oauthMigrations,
    async start(ctx) {
      const iam = ctx.services.get(IAM);
      const tokens = new OAuthTokens(
        iam.signingKeys,
        new OAuthIssuer(ctx.config.publicUrl),
        iam.directory,
        iam.revocations,
        ctx.clock,
        ctx.config.auth.accessTokenTtlSeconds,
      );
      deps = { clients: new OAuthClients(ctx.store, iam.directory, ctx.clock), tokens };
      iam.addAuthenticator((credential) => tokens.authenticate(credential));
    },
    async routes(app, ctx) {
      if (!deps) throw new Error('the iam-oauth module has not started');
      await oauthRoutes(app, { ...deps, keys: ctx.services.get(IAM).signingKeys });
    },
  };
}
