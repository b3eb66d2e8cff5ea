import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError, NoContent } from '../../core/index.ts';
import type { Principal } from '../../iam/index.ts';
import type { ServerContext } from '../context.ts';
import { errorResponses, IdParams, PrincipalBody, PrincipalKindSchema, RoleSchema } from './schemas.ts';

const CreatePrincipal = Type.Object(
  {
    org: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
    kind: PrincipalKindSchema,
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$' }),
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 6 }),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
const UpdatePrincipal = Type.Object(
  {
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 6 })),
    disabled: Type.Optional(Type.Boolean()),
    displayName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 12, maxLength: 1024 }) },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  {
    org: Type.Optional(Type.String({ maxLength: 63 })),
    kind: Type.Optional(PrincipalKindSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);

export async function principalRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  async function load(req: FastifyRequest<{ Params: Static<typeof IdParams> }>, action: string): Promise<Principal> {
    const p = await iam.directory.get(req.params.id);
    const missing = () => new MsecError('NOT_FOUND', `principal ${req.params.id} not found`);
    if (!p) throw missing();
    // Same answer for "absent" and "not yours": existence is not disclosed across organisations.
    req.authorize(action, { type: 'principal', id: p.id, org: p.orgId }, missing());
    return p;
  }

  app.post<{ Body: Static<typeof CreatePrincipal> }>(
    '/principals',
    {
      config: {
        security: {
          action: 'iam:principal:create',
          resource: (req) => ({ type: 'principal', org: (req.body as { org: string }).org }),
        },
      },
      schema: {
        tags: ['iam'],
        summary: 'Create a user, service or device principal',
        body: CreatePrincipal,
        security: [{ bearerAuth: [] }],
        response: { 201: PrincipalBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await iam.directory.createPrincipal({
        orgId: b.org,
        kind: b.kind,
        name: b.name,
        displayName: b.displayName,
        roles: b.roles,
        password: b.password,
      });
      req.auditNote = { resource: `principal id=${p.id} name=${p.name}` };
      reply.status(201);
      return p;
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/principals',
    {
      config: {
        security: {
          action: 'iam:principal:read',
          resource: (req) => ({ type: 'principal', org: (req.query as { org?: string }).org ?? req.subject?.org }),
        },
      },
      schema: {
        tags: ['iam'],
        summary: 'List principals of an organisation',
        querystring: ListQuery,
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ items: Type.Array(PrincipalBody) }) },
      },
    },
    async (req) => {
      const q = req.query;
      return {
        items: await iam.directory.list({
          orgId: q.org ?? req.subject!.org,
          kind: q.kind,
          limit: q.limit ?? 100,
          offset: q.offset ?? 0,
        }),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/principals/:id',
    {
      config: {
        security: { action: 'iam:principal:read', resource: (req) => ({ type: 'principal', org: req.subject?.org }) },
      },
      schema: {
        tags: ['iam'],
        params: IdParams,
        security: [{ bearerAuth: [] }],
        response: { 200: PrincipalBody, ...errorResponses },
      },
    },
    async (req) => load(req, 'iam:principal:read'),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdatePrincipal> }>(
    '/principals/:id',
    {
      config: {
        security: { action: 'iam:principal:update', resource: (req) => ({ type: 'principal', org: req.subject?.org }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Change roles, disable or rename',
        params: IdParams,
        body: UpdatePrincipal,
        security: [{ bearerAuth: [] }],
        response: { 200: PrincipalBody, ...errorResponses },
      },
    },
    async (req) => {
      const p = await load(req, 'iam:principal:update');
      const s = req.subject!;
      const { roles, disabled, displayName } = req.body;
      // Nobody raises (or changes) their own rights; nobody hands out a role they do not hold.
      if (p.id === s.id && (disabled || roles))
        throw new MsecError('CONFLICT', 'you cannot disable yourself or change your own roles');
      const beyond = roles?.find((r) => !s.roles.includes(r) && !s.roles.includes('admin'));
      if (beyond) throw new MsecError('FORBIDDEN', `you cannot grant the role ${beyond}, which you do not hold`);
      if (displayName !== undefined || disabled === false)
        await iam.directory.update(p.id, { displayName, disabled: disabled === false ? false : undefined });
      if (roles) await iam.setRoles(p.id, roles);
      if (disabled) await iam.disable(p.id);
      return (await iam.directory.get(p.id))!;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/principals/:id',
    {
      config: {
        security: { action: 'iam:principal:delete', resource: (req) => ({ type: 'principal', org: req.subject?.org }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Delete a principal; its tokens, keys and live sessions end',
        params: IdParams,
        security: [{ bearerAuth: [] }],
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = await load(req, 'iam:principal:delete');
      if (p.id === req.subject!.id) throw new MsecError('CONFLICT', 'you cannot delete yourself');
      await iam.remove(p.id);
      req.auditNote = { resource: `principal id=${p.id} name=${p.name}` };
      reply.status(204);
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PasswordBody> }>(
    '/principals/:id/password',
    {
      config: {
        security: { action: 'iam:principal:update', resource: (req) => ({ type: 'principal', org: req.subject?.org }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Set a password; every earlier token and session of the principal ends',
        params: IdParams,
        body: PasswordBody,
        security: [{ bearerAuth: [] }],
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = await load(req, 'iam:principal:update');
      await iam.setPassword(p.id, req.body.password);
      reply.status(204);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/principals/:id/unlock',
    {
      config: {
        security: { action: 'iam:principal:update', resource: (req) => ({ type: 'principal', org: req.subject?.org }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Clear a lock-out after failed logins',
        params: IdParams,
        security: [{ bearerAuth: [] }],
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const p = await load(req, 'iam:principal:update');
      await iam.unlock(p);
      reply.status(204);
    },
  );
}
