import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import type { IngestItem, ItemRejected, MonitorPipeline } from '../detect/pipeline.ts';
import {
  EVENT_ID,
  NdjsonBatch,
  parseNdjsonBatch,
  recheckFastRecord,
  type NdjsonItem,
  type NdjsonRefusal,
} from './ingest-ndjson.ts';
import { bearer, decodeBody } from './scope.ts';

/** CONTRACTS.md section 1 bounds. */
export const MAX_BATCH_EVENTS = 5000;
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Batches queued for storage beyond which new ones are refused with 503 and retry-after (the agent backs off and resends). */
export const MAX_QUEUED_BATCHES = 16;
const TYPES = new Set(['eve', 'auth', 'syslog', 'json']);
const BODY_LIMIT = MAX_BATCH_BYTES + 64 * 1024;

const Agent = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    version: Type.Optional(Type.String({ maxLength: 100 })),
    org: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: true },
);

/** The NDJSON form, once parsed (ingest-ndjson.ts): only its agent line is for the schema. */
const NdjsonBody = Type.Object({ agent: Agent }, { additionalProperties: true });

const Batch = Type.Object(
  {
    agent: Agent,
    // Item-level checks (id pattern, type, line size) answer per item, so the schema stays loose there.
    events: Type.Array(
      Type.Object(
        {
          id: Type.String({ maxLength: 4096 }),
          type: Type.String({ maxLength: 64 }),
          line: Type.String(),
          file: Type.Optional(Type.String({ maxLength: 4096 })),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true },
);
type BatchBody = Static<typeof Batch>;
type AgentInfo = Static<typeof Agent>;

const IngestReply = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      index: Type.Integer(),
      id: Type.String(),
      code: Type.String(),
      message: Type.String(),
      // NDJSON: the record's line number in the body (1 is the agent line).
      line: Type.Optional(Type.Integer()),
    }),
  ),
});

/** One record as the route hands it on: to the pipeline, or refused here. */
type Entry = (NdjsonItem | NdjsonRefusal) & { lineNo?: number };

/** Refused before the pipeline sees it: a bad id or type, or an unusable NDJSON record. */
function earlyRefusal(e: Entry, index: number): ItemRejected | undefined {
  const at = e.lineNo === undefined ? {} : { line: e.lineNo };
  if (!e.ok) return { index, id: e.id.slice(0, 256), code: 'MONITOR_EVENT_INVALID', message: e.message, ...at };
  if (!EVENT_ID.test(e.id))
    return {
      index,
      id: e.id.slice(0, 256),
      code: 'MONITOR_EVENT_INVALID',
      message: 'id must be 1-256 of [A-Za-z0-9._:/-]',
      ...at,
    };
  if (!TYPES.has(e.type))
    return { index, id: e.id, code: 'MONITOR_EVENT_INVALID', message: `type must be eve, auth, syslog or json`, ...at };
  return undefined;
}

/**
 * Hands the usable records to the pipeline in one call and answers for every record by its index. A
 * fast-path NDJSON record the pipeline refused as invalid is checked again (recheckFastRecord): one
 * that turns out to be valid JSON in another layout goes to the pipeline in a second call.
 */
async function ingestEntries(pipeline: MonitorPipeline, org: string, observer: string, entries: Entry[]) {
  const rejected: ItemRejected[] = [];
  let accepted = 0;
  let duplicates = 0;
  let pending = entries.map((e, index) => ({ e, index }));
  for (let round = 0; round < 2 && pending.length > 0; round++) {
    const items: IngestItem[] = [];
    const sent: typeof pending = [];
    for (const p of pending) {
      const refused = earlyRefusal(p.e, p.index);
      if (refused) rejected.push(refused);
      else {
        const e = p.e as NdjsonItem;
        items.push({ id: e.id, type: e.type, line: e.line });
        sent.push(p);
      }
    }
    pending = [];
    if (items.length === 0) continue;
    const out = await pipeline.ingestLines(org, observer, items);
    accepted += out.accepted;
    duplicates += out.duplicates;
    for (const r of out.rejected) {
      const p = sent[r.index]!;
      const again =
        round === 0 && r.code === 'MONITOR_EVENT_INVALID' ? recheckFastRecord(p.e as NdjsonItem) : undefined;
      if (again) pending.push({ e: { ...again, lineNo: p.e.lineNo }, index: p.index });
      else rejected.push({ ...r, index: p.index, ...(p.e.lineNo === undefined ? {} : { line: p.e.lineNo }) });
    }
  }
  return { accepted, duplicates, rejected: rejected.sort((a, b) => a.index - b.index) };
}

/** The gateway agent's batch endpoint (POST /monitor/ingest): JSON or NDJSON, optionally gzip. */
export async function ingestRoutes(app: FastifyInstance, pipeline: MonitorPipeline): Promise<void> {
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser('application/json');
    const parser =
      <T>(parse: (text: string) => T) =>
      (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
        try {
          const text = decodeBody(req, body as Buffer, MAX_BATCH_BYTES);
          if (text.length > MAX_BATCH_BYTES)
            throw new MsecError('MONITOR_BATCH_TOO_LARGE', `batch is over ${MAX_BATCH_BYTES} bytes`, { status: 413 });
          done(null, parse(text.toString('utf8')));
        } catch (err) {
          done(
            err instanceof SyntaxError
              ? new MsecError('MALFORMED_JSON', 'request body is not valid JSON')
              : (err as Error),
            undefined,
          );
        }
      };
    scoped.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      parser((text) => JSON.parse(text) as unknown),
    );
    // The agent's own form (docs/monitor.md section 1.1), scoped to this route.
    scoped.addContentTypeParser(
      'application/x-ndjson',
      { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
      parser(parseNdjsonBatch),
    );
    scoped.setErrorHandler((err: FastifyError) => {
      // The contract names the size refusal (the agent halves its batch on it).
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new MsecError('MONITOR_BATCH_TOO_LARGE', `batch is over ${MAX_BATCH_BYTES} bytes`, { status: 413 });
      throw err;
    });

    scoped.post<{ Body: BatchBody | NdjsonBatch }>(
      '/monitor/ingest',
      {
        bodyLimit: BODY_LIMIT,
        config: {
          security: {
            action: 'monitor:event:ingest',
            resource: (req) => ({
              type: 'event',
              org: (req.body as { agent?: AgentInfo } | undefined)?.agent?.org ?? req.subject?.org,
            }),
            audit: 'handler',
          },
        },
        schema: {
          tags: ['monitor'],
          summary: 'Gateway agent batch ingest: idempotent by (org, event id); durable when answered 200',
          body: {
            content: { 'application/json': { schema: Batch }, 'application/x-ndjson': { schema: NdjsonBody } },
          },
          response: { 200: IngestReply },
          security: bearer,
        },
      },
      async (req, reply) => {
        if (pipeline.queued >= MAX_QUEUED_BATCHES) {
          void reply.header('retry-after', '1');
          throw new MsecError('UNAVAILABLE', 'the monitor is storing other batches: retry after a second', {
            status: 503,
          });
        }
        const body = req.body;
        // Each media type has its schema; one that reached a parser under another spelling has none.
        if (!(body instanceof NdjsonBatch) && !Array.isArray((body as Partial<BatchBody> | undefined)?.events))
          throw new MsecError('VALIDATION_FAILED', 'a batch is { agent: { name }, events: [...] }', { status: 400 });
        const agent = body.agent as AgentInfo;
        const entries: Entry[] =
          body instanceof NdjsonBatch
            ? body.records
            : body.events.map((e) => ({ ok: true, id: e.id, type: e.type, line: e.line }));
        if (entries.length > MAX_BATCH_EVENTS)
          throw new MsecError(
            'MONITOR_BATCH_TOO_LARGE',
            `at most ${MAX_BATCH_EVENTS} events per batch, got ${entries.length}`,
            { status: 413 },
          );
        return ingestEntries(pipeline, agent.org ?? req.subject!.org, agent.name, entries);
      },
    );
  });
}
