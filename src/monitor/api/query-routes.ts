import type { FastifyInstance } from 'fastify';
import * as R from './replies.ts';
import Type, { type Static } from 'typebox';
import { PLATFORM_ORG, type Iam } from '../../iam/index.ts';
import type { Monitor } from '../service.ts';
import { eventHistogram, eventTop, listEvents, TOP_FIELDS, type TopField } from '../store/event-queries.ts';
import type { EventFilter } from '../store/filters.ts';
import { bearer, gate, readableOrgs } from './scope.ts';

const Ms = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 });
const Text = (max = 200) => Type.String({ minLength: 1, maxLength: max });

/** The filter every event query takes; `org` is the city, `gateway` the observer. */
export const EventFilterQuery = {
  from: Type.Optional(Ms),
  to: Type.Optional(Ms),
  org: Type.Optional(Text(128)),
  gateway: Type.Optional(Text()),
  severity: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
  rule: Type.Optional(Text()),
  technique: Type.Optional(Type.String({ pattern: '^[Tt]\\d{4}(\\.\\d{3})?$' })),
  src: Type.Optional(Text(64)),
  dst: Type.Optional(Text(64)),
  protocol: Type.Optional(Text(32)),
  dataset: Type.Optional(Text(32)),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  field: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_@.-]{1,200}$' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
};

const ListQuery = Type.Object(
  {
    ...EventFilterQuery,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const HistQuery = Type.Object(
  { ...EventFilterQuery, from: Ms, to: Ms, interval: Type.Integer({ minimum: 1000, maximum: 31 * 86_400_000 }) },
  { additionalProperties: false },
);
const TopQuery = Type.Object(
  {
    ...EventFilterQuery,
    by: Type.Union(Object.keys(TOP_FIELDS).map((k) => Type.Literal(k))),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

type FilterQuery = Static<typeof ListQuery>;

export function toEventFilter(q: Partial<FilterQuery>, orgs: string[] | 'all'): EventFilter {
  return {
    orgs,
    from: q.from,
    to: q.to,
    observer: q.gateway,
    severity: q.severity,
    rule: q.rule,
    technique: q.technique,
    src: q.src,
    dst: q.dst,
    protocol: q.protocol,
    dataset: q.dataset,
    port: q.port,
    field: q.field,
    q: q.q,
  };
}

const tags = ['monitor'];

/** Dashboards' event queries, authorised per organisation by the policy engine. */
export async function queryRoutes(app: FastifyInstance, monitor: Monitor, iam: Iam): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/monitor/events',
    {
      config: gate('monitor:event:read'),
      schema: {
        tags,
        summary: 'Events (ECS documents with the original record), newest first, cursor-paginated',
        response: { 200: R.Events },
        querystring: ListQuery,
        security: bearer,
      },
    },
    async (req) => {
      const orgs = readableOrgs(req, iam, 'monitor:event:read', 'event', req.query.org);
      return listEvents(
        monitor.db,
        monitor.dialect,
        toEventFilter(req.query, orgs),
        req.query.limit ?? 100,
        req.query.cursor,
      );
    },
  );

  app.get<{ Querystring: Static<typeof HistQuery> }>(
    '/monitor/events/histogram',
    {
      config: gate('monitor:event:read'),
      schema: {
        tags,
        summary: 'Event counts per time bucket (interval ms) between from and to',
        response: { 200: R.Histogram },
        querystring: HistQuery,
        security: bearer,
      },
    },
    async (req) => {
      const orgs = readableOrgs(req, iam, 'monitor:event:read', 'event', req.query.org);
      return {
        interval: req.query.interval,
        buckets: await eventHistogram(monitor.db, monitor.dialect, toEventFilter(req.query, orgs), req.query.interval),
      };
    },
  );

  app.get<{ Querystring: Static<typeof TopQuery> }>(
    '/monitor/events/top',
    {
      config: gate('monitor:event:read'),
      schema: {
        tags,
        summary: 'Top-N signatures, sources, destinations, ports, techniques, gateways, protocols',
        response: { 200: R.Top },
        querystring: TopQuery,
        security: bearer,
      },
    },
    async (req) => {
      const orgs = readableOrgs(req, iam, 'monitor:event:read', 'event', req.query.org);
      return {
        by: req.query.by,
        items: await eventTop(
          monitor.db,
          monitor.dialect,
          toEventFilter(req.query, orgs),
          req.query.by as TopField,
          req.query.n ?? 10,
        ),
      };
    },
  );

  app.get(
    '/monitor/stats',
    {
      config: { security: { action: 'monitor:stats:read', resource: () => ({ type: 'stats', org: PLATFORM_ORG }) } },
      schema: {
        tags,
        summary: 'Ingest counters (accepted, duplicates, rejected by code), engine and retention state',
        response: { 200: R.Stats },
        security: bearer,
      },
    },
    async () => ({
      ingest: monitor.pipeline.counters,
      engine: monitor.rules.engine.stats(),
      notifications: monitor.notifier.stats,
      retention: monitor.lastRetention ?? null,
    }),
  );
}
