import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Iam, OidcSignin } from '../../iam/index.ts';
import { installCookieAuth } from './cookie-auth.ts';
import { consoleOidcRoutes } from './oidc-routes.ts';
import { consoleSessionRoutes, consoleStaticRoutes, sessionCookie } from './routes.ts';
import { ConsoleSessions } from './sessions.ts';
import { loadAssets } from './static-assets.ts';

/** src/console/server and dist/console/server both sit three levels below the package root. */
const BUILT = join(import.meta.dirname, '..', '..', '..', 'dist', 'console', 'web');

export interface ConsoleOptions {
  iam: Iam;
  now: () => number;
  secureCookie: boolean;
  loginRateLimitPerMinute: number;
  /** The sign-in at the external OpenID provider, when the oidc section configures one for the console. */
  oidc?: OidcSignin | undefined;
  /** Where the Vite build is (tests may point elsewhere). */
  assetsDir?: string;
}

/**
 * The web console on the platform's server: call before installSecurity (the cookie hook must
 * run before authentication); it returns the route registrations to run with the others.
 */
export function installConsole(
  app: FastifyInstance,
  o: ConsoleOptions,
): { routes(api: FastifyInstance): Promise<void>; root(root: FastifyInstance): Promise<void> } {
  const sessions = new ConsoleSessions(o.now);
  installCookieAuth(app, o.iam, sessions, o.now);
  const assets = loadAssets(o.assetsDir ?? BUILT);
  return {
    routes: async (api) => {
      await consoleSessionRoutes(api, {
        iam: o.iam,
        sessions,
        secureCookie: o.secureCookie,
        loginRateLimitPerMinute: o.loginRateLimitPerMinute,
      });
      await consoleOidcRoutes(api, {
        iam: o.iam,
        signin: o.oidc,
        secureCookie: o.secureCookie,
        now: o.now,
        startSession: ({ tokens, subject }) =>
          sessionCookie(sessions.create(tokens, [...subject.roles]).id, 8 * 3600, o.secureCookie),
      });
    },
    root: (root) => consoleStaticRoutes(root, assets),
  };
}
