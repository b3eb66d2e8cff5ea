import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as R from './replies.ts';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import type { Iam } from '../../iam/index.ts';
import {
  ALERT_STATUSES,
  ALERT_TOP_FIELDS,
  alertTop,
  alertView,
  CLOSE_REASONS,
  listAlerts,
  type AlertFilter,
  type AlertRow,
  type AlertTopField,
  type AlertUpdate,
  countAlerts,
} from '../alerts/lifecycle.ts';
import { attackMatrix } from '../alerts/attack-matrix.ts';
import type { Monitor } from '../service.ts';
import { eventsByFlow, eventsBySeq, FLOW_WINDOW_MS } from '../store/event-queries.ts';
import { bearer, gate, readableOrgs } from './scope.ts';

const Ms = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 });
const Text = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Status = Type.Union(ALERT_STATUSES.map((s) => Type.Literal(s)));

const AlertFilterQuery = {
  from: Type.Optional(Ms),
  to: Type.Optional(Ms),
  org: Type.Optional(Text(128)),
  status: Type.Optional(
    Type.String({ pattern: '^(open|acknowledged|escalated|closed)(,(open|acknowledged|escalated|closed))*$' }),
  ),
  minSeverity: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  rule: Type.Optional(Text()),
  technique: Type.Optional(Type.String({ pattern: '^[Tt]\\d{4}(\\.\\d{3})?$' })),
  tactic: Type.Optional(Type.String({ pattern: '^TA\\d{4}$' })),
  src: Type.Optional(Text(64)),
  dst: Type.Optional(Text(64)),
  gateway: Type.Optional(Text()),
  assignee: Type.Optional(Text()),
  kind: Type.Optional(Type.Union([Type.Literal('ids'), Type.Literal('detection'), Type.Literal('correlation')])),
};
const ListQuery = Type.Object(
  {
    ...AlertFilterQuery,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const TopQuery = Type.Object(
  {
    ...AlertFilterQuery,
    by: Type.Union(Object.keys(ALERT_TOP_FIELDS).map((k) => Type.Literal(k))),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
const FilterOnly = Type.Object(AlertFilterQuery, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const EventsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    status: Type.Optional(Status),
    assignee: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    closeReason: Type.Optional(Type.Union(CLOSE_REASONS.map((r) => Type.Literal(r)))),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  },
  { additionalProperties: false },
);
const BulkBody = Type.Object(
  {
    filter: Type.Object(
      { ...AlertFilterQuery, ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })) },
      { additionalProperties: false },
    ),
    update: UpdateBody,
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
const SuppressBody = Type.Object(
  {
    org: Type.Optional(Text(128)),
    ruleId: Type.Optional(Text()),
    signatureId: Type.Optional(Type.Integer({ minimum: 1, maximum: 4_294_967_295 })),
    srcIp: Type.Optional(Text(64)),
    durationMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 366 * 86_400_000 })),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

type FilterQ = Partial<Static<typeof ListQuery>>;

function toFilter(q: FilterQ, orgs: string[] | 'all'): AlertFilter {
  return {
    orgs,
    from: q.from,
    to: q.to,
    status: q.status?.split(',') as AlertFilter['status'],
    minSeverity: q.minSeverity,
    rule: q.rule,
    technique: q.technique,
    tactic: q.tactic,
    src: q.src,
    dst: q.dst,
    observer: q.gateway,
    assignee: q.assignee,
    kind: q.kind,
  };
}

const tags = ['monitor'];
const actorOf = (req: FastifyRequest) => ({ id: req.subject!.id, name: req.subject!.name, org: req.subject!.org });

/** The alert inbox: list, detail with events, triage one or many, suppress. */
export async function alertRoutes(app: FastifyInstance, monitor: Monitor, iam: Iam): Promise<void> {
  const load = async (req: FastifyRequest, id: string, action: string): Promise<AlertRow> => {
    const a = await monitor.triage.get(id);
    // Unknown and foreign alerts look the same: no existence leak across cities.
    if (!a || !iam.decide(req.subject!, action, { type: 'alert', id, org: a.org_id }).allow)
      throw new MsecError('MONITOR_ALERT_NOT_FOUND', `no alert ${id}`, { status: 404 });
    req.authorize(action, { type: 'alert', id, org: a.org_id });
    return a;
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/monitor/alerts',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary: 'Alerts grouped by rule, source and destination, most recent first, cursor-paginated',
        response: { 200: R.Alerts },
        querystring: ListQuery,
        security: bearer,
      },
    },
    async (req) =>
      listAlerts(
        monitor.db,
        toFilter(req.query, readableOrgs(req, iam, 'monitor:alert:read', 'alert', req.query.org)),
        req.query.limit ?? 100,
        req.query.cursor,
      ),
  );

  app.get<{ Querystring: Static<typeof TopQuery> }>(
    '/monitor/alerts/top',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary: 'Top-N rules, sources, destinations, techniques, tactics, gateways by grouped events',
        response: { 200: R.Top },
        querystring: TopQuery,
        security: bearer,
      },
    },
    async (req) => ({
      by: req.query.by,
      items: await alertTop(
        monitor.db,
        toFilter(req.query, readableOrgs(req, iam, 'monitor:alert:read', 'alert', req.query.org)),
        req.query.by as AlertTopField,
        req.query.n ?? 10,
      ),
    }),
  );

  app.get<{ Querystring: Static<typeof FilterOnly> }>(
    '/monitor/alerts/count',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary: 'How many alerts match a filter',
        querystring: FilterOnly,
        security: bearer,
        response: { 200: R.AlertCount },
      },
    },
    async (req) => ({
      count: await countAlerts(
        monitor.db,
        toFilter(req.query, readableOrgs(req, iam, 'monitor:alert:read', 'alert', req.query.org)),
      ),
    }),
  );

  app.get<{ Querystring: Static<typeof FilterOnly> }>(
    '/monitor/alerts/matrix',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary:
          'MITRE ATT&CK matrix of the matching alerts: tactics as columns, techniques with alert and event counts',
        querystring: FilterOnly,
        security: bearer,
        response: { 200: R.Matrix },
      },
    },
    async (req) => {
      const f = toFilter(req.query, readableOrgs(req, iam, 'monitor:alert:read', 'alert', req.query.org));
      return attackMatrix(await alertTop(monitor.db, f, 'technique', 500));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/monitor/alerts/:id',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary: 'One alert with its comments',
        params: IdParams,
        security: bearer,
        response: { 200: R.Alert },
      },
    },
    async (req) => {
      const a = await load(req, req.params.id, 'monitor:alert:read');
      return {
        ...alertView(a),
        comments: await monitor.triage.comments(a.id),
        history: await monitor.triage.history(a.id),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof EventsQuery> }>(
    '/monitor/alerts/:id/events',
    {
      config: gate('monitor:alert:read'),
      schema: {
        tags,
        summary:
          'The events behind an alert: those linked, plus every event of the same flows (flow_id) for IDS events',
        response: { 200: R.AlertEvents },
        params: IdParams,
        querystring: EventsQuery,
        security: bearer,
      },
    },
    async (req) => {
      const a = await load(req, req.params.id, 'monitor:alert:read');
      req.authorize('monitor:event:read', { type: 'event', org: a.org_id });
      const limit = req.query.limit ?? 200;
      const linked = await eventsBySeq(monitor.db, await monitor.triage.linkedSeqs(a.id, limit));
      const flows = [
        ...new Set(
          linked
            .map((e) => (e.doc.suricata as { eve?: { flow_id?: unknown } } | undefined)?.eve?.flow_id)
            .filter((f) => f !== undefined)
            .map(String),
        ),
      ].slice(0, 100);
      const seen = new Set(linked.map((e) => e.seq));
      const window = { from: Number(a.first_seen) - FLOW_WINDOW_MS, to: Number(a.last_seen) + FLOW_WINDOW_MS };
      const byFlow = (await eventsByFlow(monitor.db, a.org_id, flows, limit, window)).filter((e) => !seen.has(e.seq));
      return { linked, flow: byFlow };
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    '/monitor/alerts/:id',
    {
      config: gate('monitor:alert:update'),
      schema: {
        tags,
        summary: 'Triage: status (open, acknowledged, escalated, closed with closeReason), assignee, comment',
        response: { 200: R.Alert },
        params: IdParams,
        body: UpdateBody,
        security: bearer,
      },
    },
    async (req) => {
      const a = await load(req, req.params.id, 'monitor:alert:update');
      return alertView(await monitor.triage.update(a, req.body as AlertUpdate, actorOf(req)));
    },
  );

  app.post<{ Body: Static<typeof BulkBody> }>(
    '/monitor/alerts/bulk',
    {
      config: {
        ...gate('monitor:alert:update'),
        security: {
          ...gate('monitor:alert:update').security,
          resource: (req: FastifyRequest) => ({
            type: 'alert',
            org: (req.body as { filter?: { org?: string } })?.filter?.org ?? req.subject?.org,
          }),
        },
      },
      schema: {
        tags,
        summary: 'The same triage update on every alert matching a filter (or a list of ids); reports per alert',
        response: { 200: R.BulkResult },
        body: BulkBody,
        security: bearer,
      },
    },
    async (req) => {
      const { filter, update } = req.body;
      const orgs = readableOrgs(req, iam, 'monitor:alert:update', 'alert', filter.org);
      let rows = await monitor.triage.idsMatching(toFilter(filter, orgs), req.body.max ?? 1000);
      if (filter.ids) rows = rows.filter((r) => filter.ids!.includes(r.id));
      const results: Array<{ id: string; ok: boolean; code?: string; message?: string }> = [];
      for (const r of rows) {
        try {
          await monitor.triage.update(r, update as AlertUpdate, actorOf(req));
          results.push({ id: r.id, ok: true });
        } catch (err) {
          const e = err instanceof MsecError ? err : new MsecError('INTERNAL', 'update failed');
          results.push({ id: r.id, ok: false, code: e.code, message: e.message });
        }
      }
      return { matched: rows.length, updated: results.filter((r) => r.ok).length, results };
    },
  );

  app.get<{ Querystring: { org?: string } }>(
    '/monitor/suppressions',
    {
      config: gate('monitor:suppression:read'),
      schema: {
        tags,
        summary: 'Suppressions in force or expired, with hit counts',
        response: { 200: R.Suppressions },
        querystring: Type.Object({ org: Type.Optional(Text(128)) }, { additionalProperties: false }),
        security: bearer,
      },
    },
    async (req) => ({
      items: await monitor.suppressions.listFor(
        readableOrgs(req, iam, 'monitor:suppression:read', 'suppression', req.query.org),
      ),
    }),
  );

  app.post<{ Body: Static<typeof SuppressBody> }>(
    '/monitor/suppressions',
    {
      config: {
        security: {
          action: 'monitor:suppression:write',
          resource: (req: FastifyRequest) => ({
            type: 'suppression',
            org: (req.body as { org?: string })?.org ?? req.subject?.org,
          }),
        },
      },
      schema: {
        tags,
        summary: 'Suppress a rule, a Suricata signature and/or a source, for a time or until removed',
        response: { 201: R.Suppression },
        body: SuppressBody,
        security: bearer,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const org = b.org ?? req.subject!.org;
      const until = b.durationMs !== undefined ? monitor.clock.now() + b.durationMs : undefined;
      const row = await monitor.suppressions.add(
        org,
        { ruleId: b.ruleId, signatureId: b.signatureId, srcIp: b.srcIp, until, reason: b.reason },
        req.subject!.name,
        monitor.clock.now(),
      );
      req.auditNote = {
        resource: `suppression id=${row.id}`,
        orgId: org,
        detail: {
          ruleId: b.ruleId ?? null,
          signatureId: b.signatureId ?? null,
          srcIp: b.srcIp ?? null,
          until: until ?? null,
        },
      };
      reply.status(201);
      return row;
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/monitor/suppressions/:id',
    {
      config: gate('monitor:suppression:write'),
      schema: { tags, summary: 'Lift a suppression', params: IdParams, security: bearer, response: { 200: R.Removed } },
    },
    async (req) => {
      const all = await monitor.suppressions.listFor('all');
      const row = all.find((s) => s.id === req.params.id);
      if (
        !row ||
        !iam.decide(req.subject!, 'monitor:suppression:write', { type: 'suppression', org: row.org_id }).allow
      )
        throw new MsecError('MONITOR_SUPPRESSION_NOT_FOUND', `no suppression ${req.params.id}`, { status: 404 });
      req.authorize('monitor:suppression:write', { type: 'suppression', id: row.id, org: row.org_id });
      await monitor.suppressions.remove(row.id);
      return { removed: row.id };
    },
  );
}
