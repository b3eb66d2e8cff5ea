import type { FastifyError, FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../../core/index.ts';
import type { IngestItem, ItemRejected, MonitorPipeline } from '../detect/pipeline.ts';
import { bearer, decodeBody } from './scope.ts';

/** CONTRACTS.md section 1 bounds. */
export const MAX_BATCH_EVENTS = 5000;
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Batches queued for storage beyond which new ones are refused with 503 and retry-after (the agent backs off and resends). */
export const MAX_QUEUED_BATCHES = 16;
const EVENT_ID = /^[A-Za-z0-9._:/-]{1,256}$/;
const TYPES = new Set(['eve', 'auth', 'syslog', 'json']);

const Batch = Type.Object(
  {
    agent: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        version: Type.Optional(Type.String({ maxLength: 100 })),
        org: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      },
      { additionalProperties: true },
    ),
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

const IngestReply = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  rejected: Type.Array(
    Type.Object({ index: Type.Integer(), id: Type.String(), code: Type.String(), message: Type.String() }),
  ),
});

/** The gateway agent's batch endpoint (POST /monitor/ingest), JSON optionally gzip. */
export async function ingestRoutes(app: FastifyInstance, pipeline: MonitorPipeline): Promise<void> {
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: MAX_BATCH_BYTES + 64 * 1024 },
      (req, body, done) => {
        try {
          const text = decodeBody(req, body as Buffer, MAX_BATCH_BYTES);
          if (text.length > MAX_BATCH_BYTES)
            throw new MsecError('MONITOR_BATCH_TOO_LARGE', `batch is over ${MAX_BATCH_BYTES} bytes`, { status: 413 });
          done(null, JSON.parse(text.toString('utf8')));
        } catch (err) {
          done(
            err instanceof SyntaxError
              ? new MsecError('MALFORMED_JSON', 'request body is not valid JSON')
              : (err as Error),
            undefined,
          );
        }
      },
    );
    scoped.setErrorHandler((err: FastifyError) => {
      // The contract names the size refusal (the agent halves its batch on it).
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new MsecError('MONITOR_BATCH_TOO_LARGE', `batch is over ${MAX_BATCH_BYTES} bytes`, { status: 413 });
      throw err;
    });

    scoped.post<{ Body: BatchBody }>(
      '/monitor/ingest',
      {
        bodyLimit: MAX_BATCH_BYTES + 64 * 1024,
        config: {
          security: {
            action: 'monitor:event:ingest',
            resource: (req) => ({
              type: 'event',
              org: (req.body as BatchBody | undefined)?.agent?.org ?? req.subject?.org,
            }),
            audit: 'handler',
          },
        },
        schema: {
          tags: ['monitor'],
          summary: 'Gateway agent batch ingest: idempotent by (org, event id); durable when answered 200',
          body: Batch,
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
        const { agent, events } = req.body;
        if (events.length > MAX_BATCH_EVENTS)
          throw new MsecError(
            'MONITOR_BATCH_TOO_LARGE',
            `at most ${MAX_BATCH_EVENTS} events per batch, got ${events.length}`,
            { status: 413 },
          );
        const org = agent.org ?? req.subject!.org;
        const items: IngestItem[] = [];
        const itemIndex: number[] = [];
        const early: ItemRejected[] = [];
        events.forEach((e, index) => {
          if (!EVENT_ID.test(e.id))
            early.push({
              index,
              id: e.id.slice(0, 256),
              code: 'MONITOR_EVENT_INVALID',
              message: 'id must be 1-256 of [A-Za-z0-9._:/-]',
            });
          else if (!TYPES.has(e.type))
            early.push({
              index,
              id: e.id,
              code: 'MONITOR_EVENT_INVALID',
              message: `type must be eve, auth, syslog or json`,
            });
          else {
            items.push({ id: e.id, type: e.type, line: e.line });
            itemIndex.push(index);
          }
        });
        const out = await pipeline.ingestLines(org, agent.name, items);
        const rejected = [...early, ...out.rejected.map((r) => ({ ...r, index: itemIndex[r.index]! }))].sort(
          (a, b) => a.index - b.index,
        );
        return { accepted: out.accepted, duplicates: out.duplicates, rejected };
      },
    );
  });
}
