/**
 * A stand-in for the monitor's batch ingest that enforces CONTRACTS.md section 1 exactly: bearer token,
 * JSON or NDJSON (docs/monitor.md section 1.1; optionally gzip; `ndjson: false` answers 415 to it, as
 * an msec older than the NDJSON form does), at most 5000 events and 8 MiB decompressed (413 MONITOR_BATCH_TOO_LARGE),
 * a malformed batch 400, per-item rejects, and storage at most once per (org, id). It can be stopped and
 * started again on the same port (its store survives, as a durable monitor's would) and told to answer 503.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export const MAX_EVENTS = 5000;
export const MAX_BYTES = 8 * 1024 * 1024;
export const MAX_LINE_BYTES = 1024 * 1024;
const ID_RE = /^[A-Za-z0-9._:/-]{1,256}$/;
const TYPES = new Set(['eve', 'auth', 'syslog', 'json']);

export interface StoredEvent {
  id: string;
  type: string;
  line: string;
  file?: string;
  agent: string;
}

export interface ReceiverStats {
  requests: number;
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  byStatus: Record<number, number>;
  /** Batches answered 200, by wire form. */
  byForm: Partial<Record<'json' | 'ndjson', number>>;
}

export class MonitorReceiver {
  /** The accepted bearer token (tests may change it to provoke 401s). */
  token: string;
  readonly org: string;
  /** The contract's limits; a test may lower them to provoke 413s with small batches. */
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** Stored events by `${org}\u0000${id}`, in arrival order. */
  readonly store = new Map<string, StoredEvent>();
  readonly stats: ReceiverStats = {
    requests: 0,
    batches: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    byStatus: {},
    byForm: {},
  };
  /** When set, every request gets 503 with this retry-after (seconds). */
  unavailable: { retryAfterS?: number } | undefined;
  /** False: NDJSON bodies are refused with 415 (a receiver older than the NDJSON form). */
  ndjson: boolean;
  private server: Server | undefined;
  port = 0;

  /** HTTPS: the server's key and certificate; with `clientCa`, a client certificate it signs replaces the token. */
  readonly tls: { key: string; cert: string; clientCa?: string } | undefined;

  constructor(opts: {
    token: string;
    org?: string;
    maxEvents?: number;
    maxBytes?: number;
    tls?: { key: string; cert: string; clientCa?: string };
    ndjson?: boolean;
  }) {
    this.tls = opts.tls;
    this.ndjson = opts.ndjson ?? true;
    this.token = opts.token;
    this.org = opts.org ?? 'test-org';
    this.maxEvents = opts.maxEvents ?? MAX_EVENTS;
    this.maxBytes = opts.maxBytes ?? MAX_BYTES;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/api/v1/monitor/ingest`;
  }

  async start(port = this.port): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) =>
        this.send(res, 500, { error: { code: 'INTERNAL', message: err.message } }),
      );
    };
    const t = this.tls;
    const server: Server = t
      ? createTlsServer(
          {
            key: t.key,
            cert: t.cert,
            ...(t.clientCa ? { ca: t.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
          },
          handler,
        )
      : createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Stops listening and cuts open connections (as a crashed or restarted monitor would). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  lines(): string[] {
    return [...this.store.values()].map((e) => e.line);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const err = (status: number, code: string, message: string, headers?: Record<string, string>) => {
      req.resume();
      this.send(res, status, { error: { code, message } }, headers);
    };
    if (req.method !== 'POST' || req.url !== '/api/v1/monitor/ingest') return err(404, 'NOT_FOUND', 'no such route');
    if (this.unavailable) {
      const h: Record<string, string> =
        this.unavailable.retryAfterS !== undefined ? { 'retry-after': String(this.unavailable.retryAfterS) } : {};
      return err(503, 'UNAVAILABLE', 'monitor is unavailable', h);
    }
    const byCert = this.tls?.clientCa !== undefined && (req.socket as TLSSocket).authorized === true;
    if (!byCert && req.headers.authorization !== `Bearer ${this.token}`)
      return err(401, 'UNAUTHENTICATED', 'a valid bearer token is required');
    const type = req.headers['content-type'] ?? '';
    const form = type.startsWith('application/json')
      ? 'json'
      : this.ndjson && type.startsWith('application/x-ndjson')
        ? 'ndjson'
        : undefined;
    if (!form) return err(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `Unsupported Media Type: ${type}`);
    const enc = req.headers['content-encoding'];
    if (enc !== undefined && enc !== 'gzip' && enc !== 'identity')
      return err(415, 'UNSUPPORTED_MEDIA_TYPE', `content-encoding ${enc}`);
    const body = await readLimited(enc === 'gzip' ? req.pipe(createGunzip()) : req, this.maxBytes);
    if (body === 'too-large') return err(413, 'MONITOR_BATCH_TOO_LARGE', `batch over ${this.maxBytes} bytes`);
    if (body === 'bad-encoding') return err(400, 'MALFORMED_INPUT', 'body is not valid gzip');
    let doc: any;
    try {
      doc = form === 'json' ? JSON.parse(body.toString('utf8')) : fromNdjson(body.toString('utf8'));
    } catch {
      return err(400, 'MALFORMED_JSON', 'body is not JSON');
    }
    const agent = doc?.agent;
    if (
      typeof agent !== 'object' ||
      agent === null ||
      typeof agent.name !== 'string' ||
      typeof agent.version !== 'string' ||
      !Array.isArray(doc.events)
    ) {
      return err(400, 'VALIDATION_FAILED', 'a batch is { agent: { name, version }, events: [...] }');
    }
    if (doc.events.length > this.maxEvents)
      return err(413, 'MONITOR_BATCH_TOO_LARGE', `batch over ${this.maxEvents} events`);
    let accepted = 0;
    let duplicates = 0;
    const rejected: { index: number; id?: string; code: string; message: string }[] = [];
    doc.events.forEach((ev: any, index: number) => {
      const problem = invalid(ev);
      if (problem) {
        rejected.push({
          index,
          ...(typeof ev?.id === 'string' ? { id: ev.id } : {}),
          code: 'MONITOR_EVENT_INVALID',
          message: problem,
        });
        return;
      }
      const key = `${this.org}\u0000${ev.id}`;
      if (this.store.has(key)) {
        duplicates++;
        return;
      }
      this.store.set(key, {
        id: ev.id,
        type: ev.type,
        line: ev.line,
        agent: agent.name,
        ...(ev.file !== undefined ? { file: ev.file } : {}),
      });
      accepted++;
    });
    this.stats.batches++;
    this.stats.byForm[form] = (this.stats.byForm[form] ?? 0) + 1;
    this.stats.accepted += accepted;
    this.stats.duplicates += duplicates;
    this.stats.rejected += rejected.length;
    this.send(res, 200, { accepted, duplicates, rejected });
  }
}

/**
 * An NDJSON body as the JSON form's document: the agent line, then each record; a record with `event`
 * gets the event's text as `line` (the raw text the agent embedded, when the record is its layout).
 * A line that is not JSON becomes an item without an id (refused on its own).
 */
function fromNdjson(text: string): { agent: unknown; events: unknown[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = JSON.parse(lines[0] ?? '') as { agent?: unknown };
  const events = lines.slice(1).map((l) => {
    let rec: any;
    try {
      rec = JSON.parse(l);
    } catch {
      return { problem: 'record is not JSON' };
    }
    if (rec === null || typeof rec !== 'object' || !('event' in rec)) return rec;
    const { event, ...rest } = rec;
    const at = l.indexOf(',"event":');
    const raw = at >= 0 ? l.slice(at + 9, -1) : '';
    let same = false;
    try {
      same = JSON.stringify(JSON.parse(raw)) === JSON.stringify(event);
    } catch {
      same = false;
    }
    return { ...rest, line: same ? raw : JSON.stringify(event) };
  });
  return { agent: head.agent, events };
}

function invalid(ev: any): string | undefined {
  if (ev?.problem) return ev.problem;
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return 'event is not an object';
  if (typeof ev.id !== 'string' || !ID_RE.test(ev.id)) return 'id must be 1-256 of [A-Za-z0-9._:/-]';
  if (!TYPES.has(ev.type)) return 'type must be eve, auth, syslog or json';
  if (typeof ev.line !== 'string') return 'line must be a string';
  if (Buffer.byteLength(ev.line) > MAX_LINE_BYTES) return 'line over 1 MiB';
  if (ev.file !== undefined && typeof ev.file !== 'string') return 'file must be a string';
  if (ev.type === 'eve' || ev.type === 'json') {
    try {
      const v = JSON.parse(ev.line);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'line is not a JSON object';
    } catch {
      return 'line is not JSON';
    }
  }
  return undefined;
}

async function readLimited(stream: Readable, limit: number): Promise<Buffer | 'too-large' | 'bad-encoding'> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of stream) {
      size += (c as Buffer).length;
      if (size > limit) {
        stream.destroy();
        return 'too-large';
      }
      chunks.push(c as Buffer);
    }
  } catch {
    return 'bad-encoding';
  }
  return Buffer.concat(chunks);
}
