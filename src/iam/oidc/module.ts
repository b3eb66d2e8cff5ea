import { MsecError, type PlatformModule } from '../../core/index.ts';
import { GroupMapping } from '../ldap/mapping.ts';
import { IAM } from '../service.ts';
import { OidcBackend } from './backend.ts';
import { oidcMigrations } from './schema.ts';
import { OIDC_SIGNIN, OidcSignin } from './signin.ts';
import { OidcVerifier } from './verifier.ts';

/** msec as an OIDC relying party: bearer tokens of the configured provider are accepted, roles from claims. */
export function oidcModule(): PlatformModule {
  return {
    name: 'iam-oidc',
    needs: [IAM],
    provides: [OIDC_SIGNIN],
    migrations: oidcMigrations,
    async start(ctx) {
      const config = ctx.config.oidc;
      if (!config)
        throw new MsecError(
          'IAM_OIDC_PROVIDER_UNAVAILABLE',
          'the iam-oidc module runs only with an oidc configuration section',
        );
      const iam = ctx.services.get(IAM);
      const verifier = new OidcVerifier({
        issuer: config.issuer,
        audience: config.audience,
        clockSkewSeconds: config.clockSkewSeconds ?? 60,
        jwksCooldownMs: (config.jwksCooldownSeconds ?? 30) * 1000,
        timeoutMs: config.timeoutMs ?? 3000,
        clock: ctx.clock,
      });
      const backend = new OidcBackend({
        issuer: config.issuer,
        verifier,
        mapping: new GroupMapping({ groupRoles: config.claimRoles, defaultOrg: config.defaultOrg }, 'oidc.claimRoles'),
        rolesClaim: config.rolesClaim ?? 'roles',
        directory: iam.directory,
        store: ctx.store,
        clock: ctx.clock,
      });
      iam.addAuthenticator((credential) => backend.authenticate(credential));
      const c = config.console;
      if (c) {
        // ID tokens carry the console's client id as audience; otherwise the same checks and mapping.
        const idTokens = new OidcBackend({
          issuer: config.issuer,
          verifier: new OidcVerifier({
            issuer: config.issuer,
            audience: c.clientId,
            clockSkewSeconds: config.clockSkewSeconds ?? 60,
            jwksCooldownMs: (config.jwksCooldownSeconds ?? 30) * 1000,
            timeoutMs: config.timeoutMs ?? 3000,
            clock: ctx.clock,
          }),
          mapping: new GroupMapping(
            { groupRoles: config.claimRoles, defaultOrg: config.defaultOrg },
            'oidc.claimRoles',
          ),
          rolesClaim: config.rolesClaim ?? 'roles',
          directory: iam.directory,
          store: ctx.store,
          clock: ctx.clock,
        });
        ctx.services.provide(
          OIDC_SIGNIN,
          new OidcSignin({
            issuer: config.issuer,
            clientId: c.clientId,
            ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
            ...(c.redirectUri ? { redirectUri: c.redirectUri } : {}),
            name: c.name ?? new URL(config.issuer).host,
            scope: c.scope ?? 'openid profile',
            timeoutMs: config.timeoutMs ?? 3000,
            idTokens,
            directory: iam.directory,
            tokens: iam.tokens,
            clock: ctx.clock,
          }),
        );
      }
    },
  };
}
