import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MsecError } from '../../core/index.ts';
import type { Iam } from '../../iam/index.ts';
import { ConsoleSessions, CSRF_HEADER, SESSION_COOKIE, cookieValue, type ConsoleSession } from './sessions.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Logging in creates the session (and its CSRF token), so it cannot require one. */
const LOGIN = 'POST /api/v1/console/session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session behind this request, when it came with the console's cookie. */
    consoleSession?: ConsoleSession;
  }
}

/**
 * Turns the console's cookie into the platform's own credential before authentication runs:
 * the browser holds only an opaque HttpOnly cookie; the access and refresh tokens stay here.
 * Mutating requests must echo the session's CSRF token in a header (a cross-site form cannot
 * set headers, and SameSite=Strict already keeps the cookie off cross-site requests).
 * Registered before installSecurity's onRequest hook, which then sees an ordinary bearer token.
 */
export function installCookieAuth(app: FastifyInstance, iam: Iam, sessions: ConsoleSessions, now: () => number): void {
  app.decorateRequest('consoleSession', undefined);
  const refreshing = new Map<string, Promise<boolean>>();

  const refresh = (s: ConsoleSession): Promise<boolean> => {
    // One rotation per session at a time: a second use of the old refresh token would look like theft.
    let p = refreshing.get(s.id);
    if (!p) {
      p = iam.tokens
        .rotateRefreshToken(s.refreshToken, async (id) => {
          const p = await iam.directory.get(id);
          return p && s.roles ? { ...p, roles: s.roles } : p;
        })
        .then((t) => {
          sessions.replaceTokens(s, t);
          return true;
        })
        .catch(() => {
          sessions.delete(s.id);
          return false;
        })
        .finally(() => refreshing.delete(s.id));
      refreshing.set(s.id, p);
    }
    return p;
  };

  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/api/')) return;
    // An explicit credential (CLI, scripts) wins; the cookie is for the browser only.
    if (req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined) return;
    const s = sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
    if (!s) return; // unknown or expired: protected routes answer 401 and the console shows its login
    const route = `${req.method} ${req.url.split('?')[0]}`;
    if (!SAFE_METHODS.has(req.method) && route !== LOGIN && !ConsoleSessions.csrfMatches(s, req.headers[CSRF_HEADER])) {
      throw new MsecError('CONSOLE_CSRF_INVALID', `missing or wrong ${CSRF_HEADER} header`, { status: 403 });
    }
    if (now() >= s.accessExpiresAt && !(await refresh(s))) return;
    req.consoleSession = s;
    req.headers.authorization = `Bearer ${s.accessToken}`;
  });
}
