import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError, NoContent } from '../../core/index.ts';
import { POLICY_RESOURCE, type PolicyDocument, type StoredPolicy } from '../../iam/index.ts';
import type { ServerContext } from '../context.ts';
import * as R from './policy-replies.ts';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }) });
const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })) },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  {
    policy: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);
/** The document is checked by the policy validator (IAM_POLICY_INVALID names what is wrong), not here. */
const DocumentBody = Type.Object({}, { additionalProperties: true, description: 'a central policy statement' });
const TestBody = Type.Object(
  {
    as: Type.String({ minLength: 1, maxLength: 128 }),
    action: Type.String({ pattern: '^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)*$', maxLength: 128 }),
    resource: Type.Object(
      {
        type: Type.String({ minLength: 1, maxLength: 64 }),
        id: Type.Optional(Type.String({ maxLength: 256 })),
        org: Type.Optional(Type.String({ maxLength: 63 })),
        owner: Type.Optional(Type.String({ maxLength: 128 })),
        attributes: Type.Optional(
          Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
        ),
      },
      { additionalProperties: false },
    ),
    /** A candidate set of central policies to test instead of the stored one (each validated). */
    candidate: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);

const policyResource = () => POLICY_RESOURCE;
const secured = (action: string) => ({ security: { action, resource: policyResource } });

function view(p: StoredPolicy) {
  return { ...p.document, version: p.version, updatedAt: p.updatedAt, updatedBy: p.updatedBy };
}

function actorOf(req: FastifyRequest) {
  return { id: req.subject?.id, name: req.subject?.name ?? 'unknown' };
}

/** Central policies: list, add, replace, remove, history and the dry run (docs/iam.md "Central policies"). */
export async function policyRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  const policies = iam.policies;
  const tags = ['iam'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/policies',
    {
      config: secured('iam:policy:read'),
      schema: { tags, security, summary: 'List the central policies', response: { 200: R.PolicyList } },
    },
    async () => ({ items: (await policies.list()).map(view) }),
  );

  app.get<{ Querystring: Static<typeof HistoryQuery> }>(
    '/policies/history',
    {
      config: secured('iam:policy:read'),
      schema: {
        tags,
        security,
        querystring: HistoryQuery,
        summary: 'Every change to central policies, newest first',
        response: { 200: R.PolicyHistory },
      },
    },
    async (req) => ({ items: await policies.history(req.query.policy, req.query.limit) }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/policies/:id',
    {
      config: secured('iam:policy:read'),
      schema: {
        tags,
        security,
        params: IdParams,
        summary: 'One policy',
        response: { 200: R.PolicyView, ...R.notFound },
      },
    },
    async (req) => {
      const p = await policies.get(req.params.id);
      if (!p) throw new MsecError('IAM_POLICY_NOT_FOUND', `policy ${req.params.id} not found`);
      return view(p);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/policies/:id/history',
    {
      config: secured('iam:policy:read'),
      schema: {
        tags,
        security,
        params: IdParams,
        summary: 'The versions of one policy, newest first',
        response: { 200: R.PolicyHistory, ...R.notFound },
      },
    },
    async (req) => {
      const items = await policies.history(req.params.id);
      if (items.length === 0) throw new MsecError('IAM_POLICY_NOT_FOUND', `policy ${req.params.id} not found`);
      return { items };
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/policies',
    {
      config: secured('iam:policy:create'),
      schema: {
        tags,
        security,
        body: DocumentBody,
        summary: 'Add a central policy (validated, then applied)',
        response: { 201: R.PolicyView, ...R.changeRefusals },
      },
    },
    async (req, reply) => {
      const p = await policies.put(req.body, actorOf(req), 'create');
      req.auditNote = { resource: `policy id=${p.document.id}`, detail: { version: p.version } };
      reply.code(201);
      return view(p);
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Querystring: Static<typeof VersionQuery>; Body: Record<string, unknown> }>(
    '/policies/:id',
    {
      config: secured('iam:policy:update'),
      schema: {
        tags,
        security,
        params: IdParams,
        querystring: VersionQuery,
        body: DocumentBody,
        summary: 'Replace a central policy; `version` refuses the change if someone changed it since',
        response: { 200: R.PolicyView, ...R.changeRefusals, ...R.notFound },
      },
    },
    async (req) => {
      const body = { ...req.body, id: req.body.id ?? req.params.id } as Partial<PolicyDocument>;
      if (body.id !== req.params.id)
        throw new MsecError('IAM_POLICY_INVALID', `the body's id ${String(body.id)} is not ${req.params.id}`);
      const p = await policies.put(body, actorOf(req), 'replace', req.query.version);
      req.auditNote = { resource: `policy id=${p.document.id}`, detail: { version: p.version } };
      return view(p);
    },
  );

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof VersionQuery> }>(
    '/policies/:id',
    {
      config: secured('iam:policy:delete'),
      schema: {
        tags,
        security,
        params: IdParams,
        querystring: VersionQuery,
        summary: 'Remove a central policy',
        response: { 204: NoContent, ...R.changeRefusals, ...R.notFound },
      },
    },
    async (req, reply) => {
      await policies.remove(req.params.id, actorOf(req), req.query.version);
      req.auditNote = { resource: `policy id=${req.params.id}` };
      return reply.code(204).send();
    },
  );

  app.post<{ Body: Static<typeof TestBody> }>(
    '/policies/test',
    {
      config: secured('iam:policy:test'),
      schema: {
        tags,
        security,
        body: TestBody,
        summary: 'Dry run: the decision a principal would get, and which statement allowed or denied it',
        response: {
          200: R.PolicyExplanation,
          ...errorReplies({
            400: 'IAM_POLICY_INVALID: a candidate statement',
            404: 'IAM_POLICY_TEST_PRINCIPAL_UNKNOWN',
          }),
        },
      },
    },
    async (req) => {
      const b = req.body;
      const candidate = b.candidate?.map((d) => policies.validate(d));
      return policies.test(b.as, b.action, b.resource, candidate);
    },
  );
}
