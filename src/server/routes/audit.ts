import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError } from '../../core/index.ts';
import { PLATFORM_ORG, usageReportCsv } from '../../iam/index.ts';
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

const ReportQuery = Type.Object(
  {
    by: Type.Union([Type.Literal('principal'), Type.Literal('resource')]),
    from: Type.String({ maxLength: 40, description: 'start: RFC 3339 time or milliseconds since the epoch' }),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'end (exclusive); default now' })),
    org: Type.Optional(Type.String({ maxLength: 63 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
  },
  { additionalProperties: false },
);

const ReportRowBody = Type.Object({
  key: Type.String({ description: 'the principal id ("" = anonymous) or the resource' }),
  principalName: Type.Union([Type.String(), Type.Null()]),
  org: Type.Union([Type.String(), Type.Null()]),
  requests: Type.Integer(),
  denials: Type.Integer(),
  failures: Type.Integer(),
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
  distinct: Type.Integer({ description: 'resources of the principal, or principals of the resource' }),
});

const ReportBody = Type.Object({
  by: Type.Union([Type.Literal('principal'), Type.Literal('resource')]),
  from: Type.Integer(),
  to: Type.Integer(),
  rows: Type.Array(ReportRowBody),
});

/** RFC 3339 text or epoch milliseconds → ms; IAM_AUDIT_REPORT_INVALID otherwise. */
export function parseReportTime(value: string, name: string): number {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || (!/^\d+$/.test(value) && !/^\d{4}-\d{2}-\d{2}/.test(value)))
    throw new MsecError(
      'IAM_AUDIT_REPORT_INVALID',
      `${name}: expected an RFC 3339 time or epoch milliseconds, got "${value}"`,
    );
  return ms;
}

export async function auditRoutes(app: FastifyInstance, { iam, clock }: ServerContext): Promise<void> {
  app.get<{ Querystring: Static<typeof ReportQuery> }>(
    '/audit/report',
    {
      config: {
        security: {
          action: 'iam:audit:report',
          resource: (req) => ({ type: 'audit', org: (req.query as { org?: string }).org ?? req.subject?.org }),
        },
      },
      schema: {
        tags: ['iam'],
        summary:
          'Accounting report over whole hours: requests, denials, failures and bytes per principal or per resource (admins); JSON or CSV (RFC 4180)',
        querystring: ReportQuery,
        security: [{ bearerAuth: [] }],
        response: {
          200: {
            description: 'the report as JSON, or as CSV with format=csv',
            content: { 'application/json': { schema: ReportBody }, 'text/csv': { schema: Type.String() } },
          },
          ...errorReplies({ 400: 'IAM_AUDIT_REPORT_INVALID: the period is unusable' }),
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const s = req.subject!;
      const orgId = s.org === PLATFORM_ORG ? q.org : (q.org ?? s.org);
      const from = parseReportTime(q.from, 'from');
      const to = q.to === undefined ? clock.now() : parseReportTime(q.to, 'to');
      // This process's counts since its last flush belong in the report too.
      await iam.usage.flush();
      const report = await iam.usage.report({ by: q.by, from, to, orgId });
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="msec-usage-by-${q.by}.csv"`)
          .send(usageReportCsv(report));
      return report;
    },
  );

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
