import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError, NoContent } from '../../core/index.ts';
import type { ServerContext } from '../context.ts';
import { PrincipalBody, TokensBody } from './schemas.ts';

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const LogoutBody = Type.Object(
  { refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { additionalProperties: false },
);

export async function authRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { iam, config } = ctx;
  const loginLimit = { max: config.auth.loginRateLimitPerMinute, timeWindow: '1 minute' };

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/auth/login',
    {
      config: { security: { public: true }, rateLimit: loginLimit },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a password; returns an access and a refresh token',
        body: LoginBody,
        response: {
          200: TokensBody,
          ...errorReplies({ 401: 'INVALID_CREDENTIALS', 429: 'LOGIN_THROTTLED: retry after the delay' }),
        },
      },
    },
    async (req) => {
      req.auditNote = { actorName: req.body.username, resource: 'session' };
      req.auditAction = 'iam:session:login';
      const { tokens, principalId, orgId } = await iam.passwords.login(req.body.username, req.body.password, req.ip);
      req.auditNote = { actorName: req.body.username, actorId: principalId, orgId, resource: 'session' };
      return tokens;
    },
  );

  app.post<{ Body: Static<typeof RefreshBody> }>(
    '/auth/refresh',
    {
      config: {
        security: { public: true },
        rateLimit: { max: config.auth.loginRateLimitPerMinute * 6, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (rotation)',
        body: RefreshBody,
        response: { 200: TokensBody, ...errorReplies({ 401: 'the refresh token is invalid, expired or revoked' }) },
      },
    },
    async (req) => {
      req.auditAction = 'iam:session:refresh';
      return iam.tokens.rotateRefreshToken(req.body.refreshToken, (id) => iam.directory.get(id));
    },
  );

  app.post<{ Body: Static<typeof LogoutBody> }>(
    '/auth/logout',
    {
      config: {
        security: { action: 'iam:self:logout', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the current access token and its refresh token family (the body is optional)',
        body: LogoutBody,
        security: [{ bearerAuth: [] }],
        response: { 204: NoContent },
      },
      // A logout without a body is the common case: validate it as {}.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      await iam.logout(req.subject!, req.body?.refreshToken);
      reply.status(204);
    },
  );

  app.get(
    '/me',
    {
      config: {
        security: { action: 'iam:self:read', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags: ['auth'],
        summary: 'Who am I',
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ principal: PrincipalBody, via: Type.String() }) },
      },
    },
    async (req) => {
      const s = req.subject!;
      const principal = await iam.directory.get(s.id);
      if (!principal) throw new MsecError('UNAUTHENTICATED', 'principal no longer exists');
      return { principal, via: s.via };
    },
  );
}
