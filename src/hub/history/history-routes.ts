import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import { readTerms, twinRef, TWIN_ACTIONS } from '../twins/access.ts';
import { bucketsUnderTerms, pointUnderTerms, refuseSingleValues } from '../twins/delivery-terms.ts';
import { assertSegment } from '../twins/names.ts';
import { BROWSE_ACTION } from '../twins/policy.ts';
import { authorizeTwin, pathOf, type HubDataServices, type PathParams } from '../twins/services.ts';
import { roundValue } from '../federation/transform.ts';
import { MAX_PAGE } from './history-store.ts';
import { History, LatestReading, SoxData } from '../twins/replies.ts';

const Seg = Type.String({ minLength: 1, maxLength: 130 });
const ResourceParams = Type.Object({ provider: Seg, service: Seg, resource: Seg });
const Ms = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const HistoryQuery = Type.Object(
  {
    from: Type.Optional(Ms),
    to: Type.Optional(Ms),
    bucket: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 86400_000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
const SoxQuery = Type.Object(
  {
    node_name: Type.String({ minLength: 1, maxLength: 140 }),
    time_from: Type.Optional(Type.String({ maxLength: 40 })),
    time_to: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

/** A time given as milliseconds or an ISO 8601 date (SOXStore took dates). */
export function parseTime(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined || text === '') return fallback;
  const ms = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new MsecError('VALIDATION_FAILED', `${what} must be milliseconds since the epoch or an ISO 8601 date`);
  return ms;
}

export async function historyRoutes(app: FastifyInstance, ctx: ModuleContext, hub: HubDataServices): Promise<void> {
  app.get<{ Params: PathParams; Querystring: Static<typeof HistoryQuery> }>(
    '/providers/:provider/services/:service/resources/:resource/history',
    {
      config: { security: { action: BROWSE_ACTION } },
      schema: {
        tags: ['hub'],
        summary: 'History of a resource: a time range page by page, or downsampled buckets (min/max/avg/count)',
        params: ResourceParams,
        querystring: HistoryQuery,
        response: { 200: History },
      },
    },
    async (req) => {
      const path = pathOf(req.params);
      const p = await authorizeTwin(req, hub.twins, path, 'READ');
      const from = req.query.from ?? 0;
      const to = req.query.to ?? ctx.clock.now() + 1;
      if (to <= from) throw new MsecError('VALIDATION_FAILED', 'to must be after from');
      const terms = readTerms(hub.grants.all(), req.subject!, twinRef(p.org, path, TWIN_ACTIONS.READ));
      // An aggregate-only grant reads its windows' one statistic, whatever bucket was asked for.
      if (terms?.aggregate) {
        const windowMs = terms.aggregate.windowSeconds * 1000;
        // Without a start, the last 1,000 windows.
        const first = req.query.from === undefined ? Math.max(0, to - 1000 * windowMs) : from;
        const start = Math.floor(first / windowMs) * windowMs;
        return {
          aggregate: terms.aggregate,
          buckets: bucketsUnderTerms(await hub.history.buckets(path, start, to, windowMs), terms),
        };
      }
      if (req.query.bucket !== undefined) {
        const buckets = await hub.history.buckets(path, from, to, req.query.bucket);
        if (!terms) return { buckets };
        const d = terms.decimals ?? null;
        return {
          buckets: buckets.map((b) => ({
            ...b,
            min: roundValue(b.min, d),
            max: roundValue(b.max, d),
            avg: roundValue(b.avg, d),
          })),
        };
      }
      const page = await hub.history.range(path, { from, to, limit: req.query.limit ?? 100, cursor: req.query.cursor });
      return terms ? { ...page, items: page.items.map((x) => pointUnderTerms(x, terms)!) } : page;
    },
  );

  app.get<{ Params: PathParams }>(
    '/providers/:provider/services/:service/resources/:resource/latest',
    {
      config: { security: { action: BROWSE_ACTION } },
      schema: {
        tags: ['hub'],
        summary: 'The latest stored reading (by device time)',
        params: ResourceParams,
        response: { 200: LatestReading },
      },
    },
    async (req) => {
      const path = pathOf(req.params);
      const p = await authorizeTwin(req, hub.twins, path, 'READ');
      const terms = readTerms(hub.grants.all(), req.subject!, twinRef(p.org, path, TWIN_ACTIONS.READ));
      refuseSingleValues(terms);
      const latest = await hub.history.latest(path);
      if (!latest) throw new MsecError('NOT_FOUND', 'no reading stored for this resource');
      return pointUnderTerms(latest, terms);
    },
  );

  // SOXStore compatibility: node `X_data` is provider X; every readable resource in the range.
  app.get<{ Querystring: Static<typeof SoxQuery> }>(
    '/sox/getDeviceData',
    {
      config: { security: { action: BROWSE_ACTION } },
      schema: {
        tags: ['hub'],
        summary: 'SOXStore-compatible time-range query (authenticated, unlike SOXStore)',
        querystring: SoxQuery,
        response: { 200: SoxData },
      },
    },
    async (req) => {
      const provider = assertSegment(req.query.node_name.replace(/_data$/, ''), 'node_name');
      const from = parseTime(req.query.time_from, 0, 'time_from');
      const to = parseTime(req.query.time_to, ctx.clock.now() + 1, 'time_to');
      const p = await hub.twins.getProvider(provider);
      if (!p) throw new MsecError('NOT_FOUND', `node ${req.query.node_name} not found`);
      const readable = (await hub.twins.listResources(p)).filter(
        (r) =>
          r.kind !== 'action' &&
          r.service !== 'admin' &&
          ctx.access.decide(req.subject!, TWIN_ACTIONS.READ, twinRef(p.org, r, TWIN_ACTIONS.READ)).allow,
      );
      if (readable.length === 0) {
        req.authorize(TWIN_ACTIONS.READ, twinRef(p.org, { provider, service: '*', resource: '*' }, TWIN_ACTIONS.READ));
      }
      const data = [];
      for (const r of readable) {
        const terms = readTerms(hub.grants.all(), req.subject!, twinRef(p.org, r, TWIN_ACTIONS.READ));
        if (terms?.aggregate) continue;
        const page = await hub.history.range(r, { from, to, limit: MAX_PAGE });
        for (const raw of page.items) {
          const pt = pointUnderTerms(raw, terms)!;
          data.push({
            transducer_id: `${r.service}/${r.resource}`,
            raw_value: String(pt.value),
            typed_value: pt.value,
            timestamp: new Date(pt.timestamp).toISOString(),
            unit: pt.unit,
          });
        }
      }
      data.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      return {
        node_name: req.query.node_name,
        time_from: new Date(from).toISOString(),
        time_to: new Date(to).toISOString(),
        data,
      };
    },
  );
}
