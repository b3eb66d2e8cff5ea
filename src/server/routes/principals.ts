import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
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
const ListQuery = Type.Object(
  {
    org: Type.Optional(Type.String({ maxLength: 63 })),
    kind: Type.Optional(PrincipalKindSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

export async function principalRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  async function load(req: { params: { id: string }; authorize(a: string, r: object): void }, action: string): Promise<Principal> {
    const p = await iam.directory.get(req.params.id);
    // Same answer for "absent" and "not yours": existence is not disclosed across organisations.
    if (!p) throw new MsecError('NOT_FOUND', `principal ${req.params.id} not found`);
    req.authorize(action, { type: 'principal', id: p.id, org: p.orgId });
    return p;
  }

  app.post<{ Body: Static<typeof CreatePrincipal> }>(
    '/principals',
    {
      config: { security: { action: 'iam:principal:create', resource: (req) => ({ type: 'principal', org: (req.body as { org: string }).org }) } },
      schema: { tags: ['iam'], summary: 'Create a user, service or device principal', body: CreatePrincipal, security: [{ bearerAuth: [] }], response: { 201: PrincipalBody, ...errorResponses } },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await iam.directory.createPrincipal({ orgId: b.org, kind: b.kind, name: b.name, displayName: b.displayName, roles: b.roles, password: b.password });
      req.auditNote = { resource: `principal id=${p.id} name=${p.name}` };
      reply.status(201);
      return p;
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/principals',
    {
      config: { security: { action: 'iam:principal:read', resource: (req) => ({ type: 'principal', org: (req.query as { org?: string }).org ?? req.subject?.org }) } },
      schema: { tags: ['iam'], summary: 'List principals of an organisation', querystring: ListQuery, security: [{ bearerAuth: [] }], response: { 200: Type.Object({ items: Type.Array(PrincipalBody) }) } },
    },
    async (req) => {
      const q = req.query;
      return { items: await iam.directory.list({ orgId: q.org ?? req.subject!.org, kind: q.kind, limit: q.limit ?? 100, offset: q.offset ?? 0 }) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/principals/:id',
    {
      config: { security: { action: 'iam:principal:read', resource: (req) => ({ type: 'principal', org: req.subject?.org }) } },
      schema: { tags: ['iam'], params: IdParams, security: [{ bearerAuth: [] }], response: { 200: PrincipalBody, ...errorResponses } },
    },
    async (req) => load(req, 'iam:principal:read'),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdatePrincipal> }>(
    '/principals/:id',
    {
      config: { security: { action: 'iam:principal:update', resource: (req) => ({ type: 'principal', org: req.subject?.org }) } },
      schema: { tags: ['iam'], summary: 'Change roles, disable or rename', params: IdParams, body: UpdatePrincipal, security: [{ bearerAuth: [] }], response: { 200: PrincipalBody, ...errorResponses } },
    },
    async (req) => {
      const p = await load(req, 'iam:principal:update');
      if (p.id === req.subject!.id && (req.body.disabled || (req.body.roles && !req.body.roles.includes('admin')))) {
        throw new MsecError('CONFLICT', 'you cannot disable yourself or drop your own admin role');
      }
      if (req.body.disabled) await iam.disable(p.id);
      return iam.directory.update(p.id, { roles: req.body.roles, displayName: req.body.displayName, disabled: req.body.disabled });
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/principals/:id/unlock',
    {
      config: { security: { action: 'iam:principal:update', resource: (req) => ({ type: 'principal', org: req.subject?.org }) } },
      schema: { tags: ['iam'], summary: 'Clear a lock-out after failed logins', params: IdParams, security: [{ bearerAuth: [] }] },
    },
    async (req, reply) => {
      const p = await load(req, 'iam:principal:update');
      await iam.directory.unlock(p.id);
      reply.status(204);
    },
  );
}
