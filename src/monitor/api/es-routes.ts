import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { esResponses } from './replies.ts';
import Type from 'typebox';
import { isMsecError, MsecError, securitySubject, type Clock, type EventBus } from '../../core/index.ts';
import type { Iam, Subject } from '../../iam/index.ts';
import type { ItemRejected, MonitorPipeline } from '../detect/pipeline.ts';
import { contentId, normaliseBulkSource, parseBulkBody } from '../ingest/bulk.ts';
import type { NormalisedEvent } from '../normalise/types.ts';
import { EsAuthenticator } from './es-auth.ts';
import { decodeBody } from './scope.ts';

const ES_BODY_LIMIT = 32 * 1024 * 1024;
/** The Elasticsearch version announced: 8.x clients and Beats accept it. */
export const ES_COMPAT_VERSION = '8.17.0';
const IndexParams = Type.Object(
  { index: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^_/\\\\*?"<>| ,#:][^/\\\\*?"<>| ,#:]*$' }) },
  { additionalProperties: false },
);
const AnyQuery = Type.Object({}, { additionalProperties: Type.String({ maxLength: 200 }) });

declare module 'fastify' {
  interface FastifyRequest {
    esSubject?: Subject;
  }
}

/** Errors in Elasticsearch's shape, carrying msec's code and message too (one wire shape for both kinds of client). */
function esError(e: MsecError): { error: Record<string, unknown>; status: number } {
  const type =
    e.status === 401
      ? 'security_exception'
      : e.status === 403
        ? 'security_exception'
        : e.status === 413
          ? 'request_entity_too_large'
          : e.status >= 500
            ? 'internal_server_error'
            : 'illegal_argument_exception';
  return {
    error: { code: e.code, message: e.message, type, reason: e.message, root_cause: [{ type, reason: e.message }] },
    status: e.status,
  };
}

/**
 * An Elasticsearch `_bulk`-compatible endpoint under /monitor/es, so Filebeat, Fluent Bit,
 * Logstash and the official clients ship unchanged. Authentication is the shippers' (ApiKey,
 * Basic, Bearer); the action is `monitor:event:ingest` in the subject's organisation.
 */
export async function esRoutes(
  app: FastifyInstance,
  deps: { pipeline: MonitorPipeline; iam: Iam; clock: Clock; bus: EventBus },
): Promise<void> {
  const auth = new EsAuthenticator(deps.iam, deps.clock);
  await app.register(async (es) => {
    es.decorateRequest('esSubject', undefined);
    es.removeAllContentTypeParsers();
    // Shippers send NDJSON as application/x-ndjson, application/json or the compatible-with media types.
    es.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ES_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    es.addHook('onSend', async (_req, reply) => {
      reply.header('x-elastic-product', 'Elasticsearch');
    });
    es.setErrorHandler((err: FastifyError, req, reply) => {
      const e = isMsecError(err)
        ? err
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new MsecError('MONITOR_BATCH_TOO_LARGE', `bulk body is over ${ES_BODY_LIMIT} bytes`, { status: 413 })
          : err.validation
            ? new MsecError('VALIDATION_FAILED', err.message)
            : (err.statusCode ?? 500) < 500
              ? new MsecError('MALFORMED_INPUT', err.message, { status: err.statusCode! })
              : new MsecError('INTERNAL', 'internal error', { status: 500 });
      req.errorCode = e.code;
      if (e.status >= 500) req.log.error({ err }, 'es-compatible request failed');
      void reply.status(e.status).type('application/json').send(esError(e));
    });
    es.addHook('preHandler', async (req) => {
      try {
        req.esSubject = await auth.authenticate(req.headers.authorization);
      } catch (err) {
        const e =
          isMsecError(err) && (err.status === 401 || err.status === 423 || err.status === 403)
            ? err
            : new MsecError('TOKEN_INVALID', 'credential is invalid');
        // Shipper credential failures are security events like any other failed authentication.
        await deps.iam.audit
          .append({
            actorId: null,
            actorName: null,
            orgId: null,
            action: 'monitor:event:ingest',
            resource: 'es-bulk',
            outcome: 'denied',
            status: e.status,
            ip: req.ip,
            detail: { error: e.code },
          })
          .catch(() => undefined);
        void deps.bus
          .publish(securitySubject('api', 'auth-failed'), {
            ip: req.ip,
            actor: null,
            org: null,
            method: req.method,
            route: req.routeOptions.url ?? null,
            status: e.status,
            code: e.code,
            requestId: req.id,
          })
          .catch(() => undefined);
        throw e;
      }
      const s = req.esSubject;
      const d = deps.iam.decide(s, 'monitor:event:ingest', { type: 'event', org: s.org });
      if (!d.allow)
        throw new MsecError('FORBIDDEN', 'not allowed: monitor:event:ingest', { details: { reason: d.reason } });
    });

    const pub = (summary: string) => ({
      config: { security: { public: true, audit: 'handler' as const } },
      schema: { tags: ['monitor'], summary, querystring: AnyQuery, response: esResponses },
    });
    const info = () => ({
      name: 'msec',
      cluster_name: 'msec-monitor',
      cluster_uuid: 'msec-monitor',
      version: {
        number: ES_COMPAT_VERSION,
        build_flavor: 'default',
        build_type: 'msec',
        lucene_version: '9.12.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    });
    es.get('/monitor/es', pub('Elasticsearch-compatible cluster info (what shippers probe)'), async () => info());
    es.get('/monitor/es/', pub('Elasticsearch-compatible cluster info'), async () => info());
    es.get('/monitor/es/_license', pub('Elasticsearch-compatible licence probe (Beats)'), async () => ({
      license: { status: 'active', type: 'basic', uid: 'msec', issue_date_in_millis: 0 },
    }));
    es.get('/monitor/es/_xpack', pub('Elasticsearch-compatible features probe'), async () => ({
      build: {},
      features: {},
      license: { status: 'active', type: 'basic', mode: 'basic' },
    }));
    for (const url of ['/monitor/es/_refresh', '/monitor/es/:index/_refresh']) {
      const refreshed = async () => ({ _shards: { total: 1, successful: 1, failed: 0 } });
      es.post(url, pub('Refresh (a no-op: stored events are searchable once acknowledged)'), refreshed);
      es.get(url, pub('Refresh (a no-op: stored events are searchable once acknowledged)'), refreshed);
    }
    const bulk = async (req: FastifyRequest, reply: FastifyReply, defaultIndex: string | undefined) => {
      const started = Date.now();
      const text = decodeBody(req, (req.body as Buffer | undefined) ?? Buffer.alloc(0), ES_BODY_LIMIT).toString('utf8');
      const subject = req.esSubject!;
      const items = parseBulkBody(text, defaultIndex);
      const now = deps.clock.now();
      const toStore: Array<{ org: string; id: string; event: NormalisedEvent; index: number }> = [];
      const rejected: ItemRejected[] = [];
      const ids = items.map((it) => it.id ?? (it.source !== undefined ? contentId(it.index, it.source) : ''));
      items.forEach((it, index) => {
        if (it.error || it.source === undefined) return;
        const r = normaliseBulkSource(it.source, { org: subject.org, now });
        if (r.ok) toStore.push({ org: subject.org, id: ids[index]!.slice(0, 512), event: r.event, index });
        else rejected.push({ index, id: ids[index]!, ...r.reject });
      });
      const out = await deps.pipeline.ingestEvents(toStore, rejected);
      const accepted = new Set(out.acceptedIndexes);
      const rejectedBy = new Map(out.rejected.map((r) => [r.index, r]));
      const stored = new Set(toStore.map((t) => t.index));
      let errors = false;
      const result = items.map((it, index) => {
        const op = it.op === 'unknown' ? 'index' : it.op;
        const base = { _index: it.index, _id: ids[index] };
        if (it.error) {
          errors = true;
          return {
            [op]: { ...base, status: it.error.status, error: { type: it.error.type, reason: it.error.reason } },
          };
        }
        const rej = rejectedBy.get(index);
        if (rej) {
          errors = true;
          return {
            [op]: {
              ...base,
              status: 400,
              error: { type: 'document_parsing_exception', reason: `${rej.code}: ${rej.message}` },
            },
          };
        }
        if (accepted.has(index))
          return {
            [op]: {
              ...base,
              _version: 1,
              result: 'created',
              status: 201,
              _shards: { total: 1, successful: 1, failed: 0 },
              _seq_no: 0,
              _primary_term: 1,
            },
          };
        if (stored.has(index) && op === 'create') {
          errors = true;
          return {
            [op]: {
              ...base,
              status: 409,
              error: {
                type: 'version_conflict_engine_exception',
                reason: `[${ids[index]}]: version conflict, document already exists`,
              },
            },
          };
        }
        return {
          [op]: { ...base, _version: 1, result: 'noop', status: 200, _shards: { total: 1, successful: 1, failed: 0 } },
        };
      });
      void reply.type('application/json');
      return { took: Date.now() - started, errors, items: result };
    };
    const bulkConfig = (summary: string) => ({
      bodyLimit: ES_BODY_LIMIT,
      config: { security: { public: true, audit: 'handler' as const } },
      // The handler authenticates (an API key or token, as Elasticsearch clients send it).
      schema: {
        tags: ['monitor'],
        summary,
        querystring: AnyQuery,
        security: [{ bearerAuth: [] }],
        response: esResponses,
      },
    });
    es.post(
      '/monitor/es/_bulk',
      bulkConfig('Elasticsearch _bulk: NDJSON index/create actions, per-item results'),
      (req, reply) => bulk(req, reply, undefined),
    );
    es.put('/monitor/es/_bulk', bulkConfig('Elasticsearch _bulk (PUT)'), (req, reply) => bulk(req, reply, undefined));
    es.post<{ Params: { index: string } }>(
      '/monitor/es/:index/_bulk',
      {
        ...bulkConfig('Elasticsearch _bulk with a default index'),
        schema: { ...bulkConfig('').schema, params: IndexParams },
      },
      (req, reply) => bulk(req, reply, req.params.index),
    );
    es.put<{ Params: { index: string } }>(
      '/monitor/es/:index/_bulk',
      {
        ...bulkConfig('Elasticsearch _bulk with a default index (PUT)'),
        schema: { ...bulkConfig('').schema, params: IndexParams },
      },
      (req, reply) => bulk(req, reply, req.params.index),
    );
  });
}
