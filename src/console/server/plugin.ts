import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Iam } from '../../iam/index.ts';
import { installCookieAuth } from './cookie-auth.ts';
import { consoleSessionRoutes, consoleStaticRoutes } from './routes.ts';
import { ConsoleSessions } from './sessions.ts';
import { loadAssets } from './static-assets.ts';

/** src/console/server and dist/console/server both sit three levels below the package root. */
const BUILT = join(import.meta.dirname, '..', '..', '..', 'dist', 'console', 'web');

export interface ConsoleOptions {
  iam: Iam;
  now: () => number;
  secureCookie: boolean;
  loginRateLimitPerMinute: number;
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
    routes: (api) =>
      consoleSessionRoutes(api, {
        iam: o.iam,
        sessions,
        secureCookie: o.secureCookie,
        loginRateLimitPerMinute: o.loginRateLimitPerMinute,
      }),
    root: (root) => consoleStaticRoutes(root, assets),
  };
}
