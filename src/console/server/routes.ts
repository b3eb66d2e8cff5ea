import type { FastifyInstance, FastifyReply } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError, NoContent, type Subject } from '../../core/index.ts';
import type { Iam } from '../../iam/index.ts';
import { CONSOLE_PAGES } from './pages.ts';
import { ConsoleSessions, SESSION_COOKIE, type ConsoleSession } from './sessions.ts';
import { CONSOLE_CSP, type Asset } from './static-assets.ts';

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const SessionBody = Type.Object({
  csrf: Type.String(),
  principal: Type.Object({
    id: Type.String(),
    name: Type.String(),
    org: Type.String(),
    roles: Type.Array(Type.String()),
  }),
  pages: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
});
const tags = ['console'];

export interface ConsoleRouteOptions {
  iam: Iam;
  sessions: ConsoleSessions;
  secureCookie: boolean;
  loginRateLimitPerMinute: number;
}

/** The pages this subject may open: each page's action asked of the policy engine. */
function pagesFor(iam: Iam, s: Subject): Array<{ id: string; title: string }> {
  return CONSOLE_PAGES.filter((p) => iam.decide(s, p.action, { type: p.resource, org: s.org }).allow).map((p) => ({
    id: p.id,
    title: p.title,
  }));
}

function view(iam: Iam, s: Subject, session: ConsoleSession): Static<typeof SessionBody> {
  return {
    csrf: session.csrf,
    principal: { id: s.id, name: s.name, org: s.org, roles: [...s.roles] },
    pages: pagesFor(iam, s),
  };
}

/** The console's session cookie: HttpOnly, SameSite=Strict, the whole origin. */
export const sessionCookie = (value: string, maxAge: number, secure: boolean) =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

/** Session routes under /api/v1/console (cookie in, cookie out). */
export async function consoleSessionRoutes(app: FastifyInstance, o: ConsoleRouteOptions): Promise<void> {
  const cookie = (value: string, maxAge: number) => sessionCookie(value, maxAge, o.secureCookie);

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/console/session',
    {
      config: { security: { public: true }, rateLimit: { max: o.loginRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary:
          'Console login: sets an HttpOnly SameSite=Strict session cookie; returns the CSRF token and the pages allowed',
        body: LoginBody,
        response: { 200: SessionBody, ...errorReplies({ 401: 'INVALID_CREDENTIALS', 429: 'LOGIN_THROTTLED' }) },
      },
    },
    async (req, reply) => {
      req.auditAction = 'iam:session:login';
      req.auditNote = { actorName: req.body.username, resource: 'console-session' };
      const { tokens, principalId, orgId } = await o.iam.passwords.login(req.body.username, req.body.password);
      req.auditNote = { actorName: req.body.username, actorId: principalId, orgId, resource: 'console-session' };
      const subject = await o.iam.authenticate(tokens.accessToken);
      const session = o.sessions.create(tokens);
      reply.header('set-cookie', cookie(session.id, 8 * 3600));
      return view(o.iam, subject, session);
    },
  );

  app.get(
    '/console/session',
    {
      config: {
        security: { action: 'iam:self:read', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags,
        summary: 'The signed-in console user, the CSRF token and the pages allowed',
        response: { 200: SessionBody, ...errorReplies({ 401: 'CONSOLE_SESSION_INVALID: no console session' }) },
      },
    },
    async (req) => {
      if (!req.consoleSession)
        throw new MsecError('CONSOLE_SESSION_INVALID', 'no console session (log in at POST /api/v1/console/session)', {
          status: 401,
        });
      return view(o.iam, req.subject!, req.consoleSession);
    },
  );

  app.delete(
    '/console/session',
    {
      config: { security: { public: true } },
      schema: {
        tags,
        summary: "Console logout: revokes the session's tokens and clears the cookie",
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const s = req.consoleSession;
      if (s) {
        o.sessions.delete(s.id);
        await o.iam.tokens.revokeFamilyOf(s.refreshToken);
        if (req.subject?.jti) await o.iam.revocations.revokeToken(req.subject.jti, s.accessExpiresAt + 60_000);
      }
      reply.header('set-cookie', cookie('', 0));
      reply.status(204);
    },
  );
}

/** The single-page app at `/` and its hashed assets, with a strict CSP. */
export async function consoleStaticRoutes(app: FastifyInstance, assets: Map<string, Asset> | undefined): Promise<void> {
  const send = (reply: FastifyReply, path: string) => {
    if (!assets)
      throw new MsecError('CONSOLE_NOT_BUILT', 'the console is not built: run `npm run build`', { status: 503 });
    const a = assets.get(path);
    if (!a) throw new MsecError('NOT_FOUND', `no console asset ${path}`, { status: 404 });
    reply
      .header('content-type', a.type)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin');
    return reply.send(a.body);
  };
  const pub = { config: { security: { public: true } }, schema: { hide: true } };
  app.get('/', pub, (_req, reply) => send(reply, '/index.html'));
  app.get<{ Params: { file: string } }>('/assets/:file', pub, (req, reply) =>
    send(reply, `/assets/${req.params.file}`),
  );
}
