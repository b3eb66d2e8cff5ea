import { IAM } from '../../iam/index.ts';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError, NoContent } from '../../core/index.ts';
import { ROLES } from '../../iam/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import { ACCESS_LEVELS } from './access.ts';
import type { GrantStore } from './grant-store.ts';
import { assertPattern } from './names.ts';
import { Grant, GrantList } from './replies.ts';

const Pattern = Type.String({ minLength: 1, maxLength: 130, pattern: '^[A-Za-z0-9._~*-]+$' });
const GrantBody = Type.Object(
  {
    org: Type.Optional(Type.String({ minLength: 2, maxLength: 63 })),
    principalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)))),
    granteeOrg: Type.Optional(Type.String({ minLength: 2, maxLength: 63 })),
    provider: Pattern,
    service: Pattern,
    resource: Pattern,
    access: Type.Union(ACCESS_LEVELS.map((l) => Type.Literal(l))),
    effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ org: Type.Optional(Type.String({ maxLength: 63 })) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Access rules (grants) on an organisation's twins, managed by its admins. */
export async function grantRoutes(app: FastifyInstance, ctx: ModuleContext, grants: GrantStore): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/access-rules',
    {
      config: {
        security: {
          action: 'hub:grant:read',
          resource: (req) => ({ type: 'grant', org: (req.query as { org?: string }).org ?? req.subject?.org }),
        },
      },
      schema: {
        tags: ['hub'],
        summary: 'List the access rules on an organisation’s data',
        querystring: ListQuery,
        response: { 200: GrantList },
      },
    },
    async (req) => ({ items: await grants.list(req.query.org ?? req.subject!.org) }),
  );

  app.post<{ Body: Static<typeof GrantBody> }>(
    '/access-rules',
    {
      config: {
        security: {
          action: 'hub:grant:create',
          resource: (req) => ({
            type: 'grant',
            org: (req.body as { org?: string } | undefined)?.org ?? req.subject?.org,
          }),
        },
      },
      schema: {
        tags: ['hub'],
        summary: 'Create an access rule (sensiNact tuple)',
        body: GrantBody,
        response: { 201: Grant, ...errorReplies({ 404: 'the principal or the grantee organisation does not exist' }) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const org = b.org ?? req.subject!.org;
      if (b.principalId !== undefined && !(await ctx.services.get(IAM).directory.get(b.principalId)))
        throw new MsecError('NOT_FOUND', `principal ${b.principalId} not found`);
      if (b.granteeOrg !== undefined && !(await ctx.services.get(IAM).directory.getOrg(b.granteeOrg)))
        throw new MsecError('NOT_FOUND', `organization ${b.granteeOrg} not found`);
      const grant = await grants.create({
        org,
        principalId: b.principalId ?? null,
        role: b.role ?? null,
        granteeOrg: b.granteeOrg ?? null,
        provider: assertPattern(b.provider, 'provider'),
        service: assertPattern(b.service, 'service'),
        resource: assertPattern(b.resource, 'resource'),
        access: b.access,
        effect: b.effect,
        priority: b.priority ?? 0,
        createdBy: req.subject!.id,
      });
      req.auditNote = { resource: `grant id=${grant.id} org=${org}` };
      reply.status(201);
      return grant;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/access-rules/:id',
    {
      config: { security: { action: 'hub:twin:browse' } },
      schema: { tags: ['hub'], summary: 'Delete an access rule', params: IdParams, response: { 204: NoContent } },
    },
    async (req, reply) => {
      const grant = await grants.get(req.params.id);
      const missing = () => new MsecError('NOT_FOUND', `access rule ${req.params.id} not found`);
      if (!grant) throw missing();
      req.authorize('hub:grant:delete', { type: 'grant', org: grant.org, id: grant.id }, missing());
      await grants.remove(grant.id);
      reply.status(204);
    },
  );
}
