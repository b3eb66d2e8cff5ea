import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { PLATFORM_ORG } from '../../iam/index.ts';
import type { ServerContext } from '../context.ts';

const AuditQuery = Type.Object(
  {
    org: Type.Optional(Type.String({ maxLength: 63 })),
    actor: Type.Optional(Type.String({ maxLength: 128 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    outcome: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('denied')])),
    since: Type.Optional(Type.Integer({ minimum: 0 })),
    until: Type.Optional(Type.Integer({ minimum: 0 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const AuditEntryBody = Type.Object({
  id: Type.Integer(),
  at: Type.Integer(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  orgId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  resource: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  status: Type.Union([Type.Integer(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()]),
});

export async function auditRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit',
    {
      config: {
        security: {
          action: 'iam:audit:read',
          resource: (req) => ({ type: 'audit', org: (req.query as { org?: string }).org ?? req.subject?.org }),
        },
      },
      schema: {
        tags: ['iam'],
        summary: 'Query the audit log, newest first (page with `before` = last id)',
        querystring: AuditQuery,
        security: [{ bearerAuth: [] }],
        response: {
          200: Type.Object({
            items: Type.Array(AuditEntryBody),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const s = req.subject!;
      // Platform admins see everything unless they filter; others only their organisation.
      const orgId = s.org === PLATFORM_ORG ? q.org : (q.org ?? s.org);
      const limit = q.limit ?? 100;
      const items = await iam.audit.query({
        orgId,
        actorId: q.actor,
        action: q.action,
        outcome: q.outcome,
        since: q.since,
        until: q.until,
        before: q.before,
        limit,
      });
      return { items, nextBefore: items.length === limit ? items[items.length - 1]!.id : null };
    },
  );
}
