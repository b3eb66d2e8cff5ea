import { createHash } from 'node:crypto';
import { normaliseEve } from '../normalise/eve.ts';
import { normaliseLine, parseJsonObject } from '../normalise/line.ts';
import type { IngestMeta, NormaliseResult } from '../normalise/types.ts';

/** One action of an Elasticsearch `_bulk` body, parsed. */
export interface BulkItem {
  op: 'index' | 'create' | 'update' | 'delete' | 'unknown';
  index: string;
  id: string | undefined;
  /** The source line (index/create), exactly as received. */
  source?: string;
  /** Set when the action or its source is unusable: answered per item in Elasticsearch's shape. */
  error?: { status: number; type: string; reason: string };
}

const OPS = new Set(['index', 'create', 'update', 'delete']);

/**
 * Splits an NDJSON `_bulk` body into action/source pairs. A bad line costs its own item only:
 * every good pair around it is kept (Elasticsearch answers per item the same way).
 */
export function parseBulkBody(body: string, defaultIndex: string | undefined): BulkItem[] {
  const lines = body.split('\n');
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const parsed = parseJsonObject(line);
    if (!parsed.ok) {
      items.push({
        op: 'unknown',
        index: defaultIndex ?? '',
        id: undefined,
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: `Malformed action/metadata line [${i + 1}]: ${parsed.message}`,
        },
      });
      continue;
    }
    const keys = Object.keys(parsed.value);
    const op = keys.length === 1 && OPS.has(keys[0]!) ? (keys[0] as BulkItem['op']) : 'unknown';
    const meta = (op !== 'unknown' ? parsed.value[op] : undefined) as Record<string, unknown> | undefined;
    const index = typeof meta?._index === 'string' ? meta._index : (defaultIndex ?? '');
    const id = typeof meta?._id === 'string' && meta._id.length > 0 ? meta._id : undefined;
    if (op === 'unknown' || !meta || typeof meta !== 'object') {
      items.push({
        op: 'unknown',
        index,
        id,
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: `Malformed action/metadata line [${i + 1}], expected one of index, create, update, delete`,
        },
      });
      continue;
    }
    if (op === 'delete') {
      items.push({
        op,
        index,
        id,
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: 'msec keeps security events append-only: delete is not supported',
        },
      });
      continue;
    }
    const source = lines[i + 1]?.replace(/\r$/, '');
    i++;
    if (source === undefined || source.trim() === '') {
      items.push({
        op,
        index,
        id,
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: `action [${op}] on line [${i}] has no source line`,
        },
      });
      continue;
    }
    if (op === 'update') {
      items.push({
        op,
        index,
        id,
        error: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: 'msec keeps security events append-only: update is not supported',
        },
      });
      continue;
    }
    if (!index) {
      items.push({
        op,
        index,
        id,
        error: {
          status: 400,
          type: 'action_request_validation_exception',
          reason: 'Validation Failed: 1: index is missing;',
        },
      });
      continue;
    }
    items.push({ op, index, id, source });
  }
  return items;
}

/** `_id` for a document sent without one: the hash of its index and content, so a retried bulk stores nothing twice. */
export function contentId(index: string, source: string): string {
  return `h:${createHash('sha256').update(index).update('\n').update(source).digest('base64url').slice(0, 32)}`;
}

function observerOf(doc: Record<string, unknown>): string | undefined {
  for (const k of ['host', 'agent', 'observer'] as const) {
    const v = doc[k] as { name?: unknown; hostname?: unknown } | undefined;
    if (v && typeof v.name === 'string') return v.name;
    if (v && typeof v.hostname === 'string') return v.hostname;
  }
  return undefined;
}

/**
 * A shipped document into the common schema. Accepted shapes: an EVE record as the document
 * (Fluent Bit, Logstash, Filebeat with a JSON parser), a document whose `message` is an EVE line
 * (Filebeat's plain filestream), Filebeat's Suricata module (`suricata.eve.*` with ECS beside it),
 * and any other JSON object (stored as a generic `json` event).
 */
export function normaliseBulkSource(source: string, meta: IngestMeta): NormaliseResult {
  const parsed = parseJsonObject(source);
  if (!parsed.ok) return { ok: false, reject: { code: 'MONITOR_EVENT_INVALID', message: parsed.message } };
  const doc = parsed.value;
  const withObserver = { ...meta, observer: observerOf(doc) ?? meta.observer };
  if (typeof doc.event_type === 'string') return normaliseEve(doc, source, withObserver);
  if (typeof doc.message === 'string') {
    const inner = parseJsonObject(doc.message);
    if (inner.ok && typeof inner.value.event_type === 'string')
      return normaliseEve(inner.value, doc.message, withObserver);
  }
  const eve = (doc.suricata as { eve?: unknown } | undefined)?.eve;
  if (eve && typeof eve === 'object' && typeof (eve as Record<string, unknown>).event_type === 'string') {
    const src = doc.source as { ip?: unknown; port?: unknown } | undefined;
    const dst = doc.destination as { ip?: unknown; port?: unknown } | undefined;
    const rec: Record<string, unknown> = {
      timestamp: doc['@timestamp'],
      src_ip: src?.ip,
      src_port: src?.port,
      dest_ip: dst?.ip,
      dest_port: dst?.port,
      proto: (doc.network as { transport?: unknown } | undefined)?.transport,
      ...(eve as Record<string, unknown>),
    };
    const raw = JSON.stringify(rec);
    return normaliseEve(rec, raw, withObserver);
  }
  return normaliseLine('json', source, withObserver);
}
