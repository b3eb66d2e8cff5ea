import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { errorReplies, MsecError } from '../../core/index.ts';
import type { Iam, OidcSignin, PendingSignin, SigninFailure } from '../../iam/index.ts';
import { cookieValue } from './sessions.ts';

/** The browser's handle on its pending sign-in; SameSite=Lax: the provider's redirect back is a cross-site navigation. */
export const SIGNIN_COOKIE = 'msec_oidc';
const SIGNIN_PATH = '/api/v1/console/oidc';
const PENDING_MS = 10 * 60_000;
const tags = ['console'];

const Providers = Type.Object({
  providers: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      start: Type.String({ description: 'open this URL in the browser to sign in' }),
    }),
  ),
});
const Redirect = Type.Null({ description: 'redirect (Location header)' });
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 512 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 1024 })),
    iss: Type.Optional(Type.String({ maxLength: 1024 })),
    session_state: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: true },
);

/** Pending sign-ins in memory, bounded and short-lived: each is used once. */
export class PendingSignins {
  private readonly map = new Map<string, PendingSignin & { at: number }>();
  constructor(
    private readonly now: () => number,
    private readonly max = 10_000,
  ) {}

  add(p: PendingSignin): string {
    while (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    this.map.set(id, { ...p, at: this.now() });
    return id;
  }

  /** The pending sign-in for this handle, removed (one use); undefined when unknown or older than ten minutes. */
  take(id: string | undefined): PendingSignin | undefined {
    if (!id) return undefined;
    const p = this.map.get(id);
    this.map.delete(id);
    if (!p || this.now() - p.at > PENDING_MS) return undefined;
    return p;
  }
}

export interface OidcRouteOptions {
  iam: Iam;
  signin: OidcSignin | undefined;
  secureCookie: boolean;
  now: () => number;
  /** Creates the console session for the signed-in subject and returns its Set-Cookie value. */
  startSession(signedIn: Awaited<ReturnType<OidcSignin['complete']>>): string;
}

const originOf = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

/** The console's sign-in at the external OpenID provider, under /api/v1/console. */
export async function consoleOidcRoutes(app: FastifyInstance, o: OidcRouteOptions): Promise<void> {
  const pending = new PendingSignins(o.now);
  const handleCookie = (value: string, maxAge: number) =>
    `${SIGNIN_COOKIE}=${value}; Path=${SIGNIN_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${o.secureCookie ? '; Secure' : ''}`;
  const toLogin = (reason: SigninFailure) => `/?signin_error=${reason}`;

  app.get(
    '/console/providers',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary: 'The external sign-in providers the console offers (empty when none is configured)',
        response: { 200: Providers },
      },
    },
    async () => ({
      providers: o.signin ? [{ id: 'oidc', name: o.signin.name, start: `${SIGNIN_PATH}/start` }] : [],
    }),
  );

  app.get(
    '/console/oidc/start',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary:
          "Starts the console's sign-in at the OpenID provider: redirects to its authorization endpoint (code flow, PKCE S256, state, nonce)",
        response: {
          302: Redirect,
          ...errorReplies({ 404: 'NOT_FOUND: no provider configured' }),
        },
      },
    },
    async (req, reply) => {
      if (!o.signin)
        throw new MsecError('NOT_FOUND', 'no OpenID provider is configured for the console', { status: 404 });
      let begun;
      try {
        begun = await o.signin.begin(o.signin.redirectUriFor(originOf(req)));
      } catch (err) {
        req.log.warn({ err }, 'console OIDC sign-in could not start');
        return reply.redirect(toLogin('unavailable'), 302);
      }
      const id = pending.add(begun.pending);
      reply.header('set-cookie', handleCookie(id, PENDING_MS / 1000));
      reply.header('cache-control', 'no-store');
      return reply.redirect(begun.url, 302);
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/console/oidc/callback',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary:
          "The provider's redirect back: checks state, exchanges the code, verifies the ID token and nonce, sets the console session; redirects to the console (errors: to its login with signin_error)",
        querystring: CallbackQuery,
        response: { 302: Redirect, ...errorReplies({ 404: 'NOT_FOUND: no provider configured' }) },
      },
    },
    async (req, reply) => {
      if (!o.signin)
        throw new MsecError('NOT_FOUND', 'no OpenID provider is configured for the console', { status: 404 });
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      const p = pending.take(cookieValue(req.headers.cookie, SIGNIN_COOKIE));
      const cookies = [handleCookie('', 0)];
      reply.header('cache-control', 'no-store');
      const audit = (outcome: 'succeeded' | 'failed', extra: Record<string, unknown>) =>
        o.iam.audit
          .append({
            actorId: (extra.actorId as string | undefined) ?? null,
            actorName: (extra.actorName as string | undefined) ?? null,
            orgId: (extra.orgId as string | undefined) ?? null,
            action: 'iam:session:login',
            resource: 'console-session',
            outcome,
            status: outcome === 'succeeded' ? 200 : 401,
            ip: req.ip,
            requestId: req.id,
            detail: { via: 'oidc', ...(extra.reason ? { reason: extra.reason } : {}) },
          })
          .catch((err: unknown) => req.log.error({ err }, 'audit append failed'));
      try {
        if (!p) throw new MsecError('IAM_OIDC_SIGNIN_FAILED', 'no sign-in pending', { details: { reason: 'state' } });
        const signedIn = await o.signin.complete(query, p);
        cookies.push(o.startSession(signedIn));
        await audit('succeeded', {
          actorId: signedIn.subject.id,
          actorName: signedIn.subject.name,
          orgId: signedIn.subject.org,
        });
        reply.header('set-cookie', cookies);
        return reply.redirect('/', 302);
      } catch (err) {
        const reason =
          err instanceof MsecError && err.code === 'IAM_OIDC_SIGNIN_FAILED'
            ? ((err.details as { reason?: SigninFailure } | undefined)?.reason ?? 'failed')
            : 'failed';
        req.log.info({ err, reason }, 'console OIDC sign-in refused');
        await audit('failed', { reason });
        reply.header('set-cookie', cookies);
        return reply.redirect(toLogin(reason), 302);
      }
    },
  );
}
