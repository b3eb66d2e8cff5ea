import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import { PLATFORM_ORG } from '../../iam/index.ts';
import type { ServerContext } from '../context.ts';
import { errorResponses, IdParams, OrgBody, OrgKindSchema } from './schemas.ts';

const CreateOrg = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: OrgKindSchema,
  },
  { additionalProperties: false },
);

export async function orgRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  app.post<{ Body: Static<typeof CreateOrg> }>(
    '/orgs',
    {
      config: { security: { action: 'iam:org:create', resource: () => ({ type: 'org', org: PLATFORM_ORG }) } },
      schema: {
        tags: ['iam'],
        summary: 'Create an organisation (platform admins)',
        body: CreateOrg,
        security: [{ bearerAuth: [] }],
        response: { 201: OrgBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const org = await iam.directory.createOrg(req.body);
      reply.status(201);
      return org;
    },
  );

  app.get(
    '/orgs',
    {
      config: { security: { action: 'iam:org:read' } },
      schema: {
        tags: ['iam'],
        summary: 'List organisations visible to the caller',
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ items: Type.Array(OrgBody) }) },
      },
    },
    async (req) => {
      const s = req.subject!;
      const all = await iam.directory.listOrgs();
      return { items: all.filter((o) => iam.decide(s, 'iam:org:read', { type: 'org', org: o.id, id: o.id }).allow) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/orgs/:id',
    {
      config: {
        security: {
          action: 'iam:org:read',
          resource: (req) => ({ type: 'org', org: (req.params as { id: string }).id }),
        },
      },
      schema: {
        tags: ['iam'],
        summary: 'Get an organisation',
        params: IdParams,
        security: [{ bearerAuth: [] }],
        response: { 200: OrgBody, ...errorResponses },
      },
    },
    async (req) => {
      const org = await iam.directory.getOrg(req.params.id);
      if (!org) throw new MsecError('NOT_FOUND', `organization ${req.params.id} not found`);
      return org;
    },
  );
}
