import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { AgentHealth } from './health.ts';
import type { Spool } from './spool.ts';

const gzipAsync = promisify(gzip);
const SUFFIX = Buffer.from(']}');
/** How long the agent keeps to the JSON form after a receiver refused NDJSON, before it tries NDJSON again. */
export const NDJSON_RETRY_MS = 3_600_000;

/**
 * The two wire forms of a batch (docs/monitor.md section 1.1): NDJSON, the spooled records as they
 * lie on disk after an `{"agent":…}` line; and JSON, `{"agent":…,"events":[…]}`, for receivers older
 * than NDJSON (they answer 415).
 */
export type WireForm = 'ndjson' | 'json';

export interface ShipperOptions {
  url: URL;
  token?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  gzip: boolean;
  agent: { name: string; version: string; org?: string };
  /** Contract bounds: at most 5000 events and 8 MiB per batch. */
  maxEvents: number;
  maxBytes: number;
  /** How long a small batch waits for more events (the time bound of a batch). */
  lingerMs: number;
  requestTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Credentials refused: retry, but slowly (a person has to fix them). */
  authBackoffMaxMs: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, details?: Record<string, unknown>) => void;
}

type Outcome =
  | {
      kind: 'ok';
      accepted: number;
      duplicates: number;
      rejected: { index: number; id?: string; code?: string; message?: string }[];
    }
  | { kind: 'split'; status: number; code: string }
  | { kind: 'retry'; status: number; code: string; message: string; retryAfterMs?: number; slow?: boolean };

interface Part {
  data: Buffer;
  ends: number[];
  from: number;
  to: number;
}

/**
 * Ships spooled batches, one request in flight (backpressure: the next batch is read only when this one
 * is settled). A batch is acknowledged in the spool only after every event in it is accepted, a
 * duplicate, or permanently rejected (counted), so a crash or a retry re-sends with the same ids.
 */
export class Shipper {
  private readonly spool: Spool;
  private readonly opts: ShipperOptions;
  private readonly health: AgentHealth;
  private readonly httpAgent: HttpAgent;
  /** `{"agent":…,"events":[` of the JSON form. */
  private readonly prefix: Buffer;
  /** `{"agent":…}\n`, the first line of the NDJSON form. */
  private readonly header: Buffer;
  private form: WireForm = 'ndjson';
  private ndjsonAgainAtMs = 0;
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(spool: Spool, opts: ShipperOptions, health: AgentHealth) {
    this.spool = spool;
    this.opts = opts;
    this.health = health;
    const https = opts.url.protocol === 'https:';
    this.httpAgent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: opts.tls?.ca, cert: opts.tls?.cert, key: opts.tls?.key })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.prefix = Buffer.from(`{"agent":${JSON.stringify(opts.agent)},"events":[`);
    this.header = Buffer.from(`{"agent":${JSON.stringify(opts.agent)}}\n`);
  }

  /** The wire form the next batch is sent in. */
  get wireForm(): WireForm {
    return this.form;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.httpAgent.destroy();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!(await this.once())) return;
      } catch (err) {
        // A spool read or a cursor write failed (disk trouble): nothing was acknowledged; try again.
        this.health.error('GATEWAY_SHIP_FAILED', (err as Error).message);
        this.opts.log('error', 'shipping paused', { error: (err as Error).message });
        await this.sleep(1000);
      }
    }
  }

  /** Ships one batch if there is one; false when stopping. */
  private async once(): Promise<boolean> {
    await this.spool.waitForData(500);
    if (this.stopping || this.spool.events === 0) return !this.stopping;
    if (this.form === 'json' && Date.now() >= this.ndjsonAgainAtMs) this.form = this.health.wireForm = 'ndjson';
    // The JSON form's escaping makes a body bigger than its records: a receiver's 413 then halves it.
    const budget = this.opts.maxBytes - this.header.length;
    if (this.opts.lingerMs > 0 && this.spool.events < this.opts.maxEvents && this.spool.bytes < budget)
      await this.sleep(this.opts.lingerMs);
    const batch = this.spool.peek(this.opts.maxEvents, budget);
    if (!batch) return true;
    const settled = await this.deliver({ data: batch.data, ends: batch.ends, from: 0, to: batch.ends.length });
    if (!settled) return false; // stopping: the batch stays in the spool
    this.spool.ack(batch);
    return true;
  }

  /** Delivers part of a batch, splitting on 413/400 to isolate what the receiver refuses. */
  private async deliver(part: Part): Promise<boolean> {
    const n = part.to - part.from;
    for (let attempt = 0; !this.stopping; attempt++) {
      const out = await this.post(part);
      if (out.kind === 'retry' && out.status === 415 && this.form === 'ndjson') {
        // A receiver older than the NDJSON form: the same records, in the JSON form, at once.
        this.form = this.health.wireForm = 'json';
        this.ndjsonAgainAtMs = Date.now() + NDJSON_RETRY_MS;
        this.opts.log('warn', 'receiver does not take NDJSON batches (415): sending the JSON form', {
          code: out.code,
          ndjsonAgainInS: NDJSON_RETRY_MS / 1000,
        });
        attempt--;
        continue;
      }
      if (out.kind === 'ok') {
        this.health.accepted += out.accepted;
        this.health.duplicates += out.duplicates;
        this.health.rejected += out.rejected.length;
        this.health.batches++;
        this.health.lastSuccessMs = Date.now();
        for (const r of out.rejected.slice(0, 5)) this.opts.log('warn', 'receiver rejected an event (not retried)', r);
        return true;
      }
      if (out.kind === 'split') {
        if (n === 1) {
          this.health.rejected++;
          this.opts.log('error', 'receiver refused a single event; counted as rejected', {
            status: out.status,
            code: out.code,
            id: recordId(part),
          });
          return true;
        }
        const mid = part.from + Math.ceil(n / 2);
        return (await this.deliver({ ...part, to: mid })) && (await this.deliver({ ...part, from: mid }));
      }
      this.health.retries++;
      this.health.error(out.code, out.message);
      // Full jitter; refused credentials wait long (a person has to fix them), from 5 s up.
      const exp = 2 ** Math.min(attempt, 20);
      const jittered = out.slow
        ? Math.min(this.opts.authBackoffMaxMs, 5000 * exp) * (0.5 + Math.random() / 2)
        : Math.random() * Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * exp);
      const delay = out.retryAfterMs !== undefined ? out.retryAfterMs + Math.random() * 250 : jittered;
      this.opts.log(out.slow ? 'error' : 'warn', 'delivery failed; retrying', {
        status: out.status,
        code: out.code,
        message: out.message,
        retryInMs: Math.round(delay),
      });
      await this.sleep(delay);
    }
    return false;
  }

  /**
   * The request body as chunks. NDJSON: the agent line, then the spooled records as they are (no copy);
   * JSON: each record turned into the `line` form, comma-separated inside `{"agent":…,"events":[…]}`.
   */
  private async body(part: Part): Promise<Buffer[]> {
    const start = part.from === 0 ? 0 : part.ends[part.from - 1]!;
    const end = part.ends[part.to - 1]!;
    const chunks =
      this.form === 'ndjson'
        ? [this.header, part.data.subarray(start, end)]
        : [this.prefix, jsonEvents(part.data, part.ends, part.from, part.to), SUFFIX];
    return this.opts.gzip ? [await gzipAsync(Buffer.concat(chunks))] : chunks;
  }

  private async post(part: Part): Promise<Outcome> {
    const body = await this.body(part);
    const headers: Record<string, string | number> = {
      'content-type': this.form === 'ndjson' ? 'application/x-ndjson' : 'application/json',
      'content-length': body.reduce((n, b) => n + b.length, 0),
    };
    if (this.opts.gzip) headers['content-encoding'] = 'gzip';
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const send = this.opts.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Outcome>((resolve) => {
      const req = send(
        this.opts.url,
        { method: 'POST', headers, agent: this.httpAgent, timeout: this.opts.requestTimeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 1024 * 1024) chunks.push(c);
          });
          res.on('error', (err) =>
            resolve({ kind: 'retry', status: 0, code: 'GATEWAY_SHIP_NETWORK', message: err.message }),
          );
          res.on('end', () =>
            resolve(
              classify(
                res.statusCode ?? 0,
                res.headers['retry-after'],
                Buffer.concat(chunks).toString('utf8'),
                part.to - part.from,
              ),
            ),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.opts.requestTimeoutMs} ms`)));
      req.on('error', (err) =>
        resolve({ kind: 'retry', status: 0, code: 'GATEWAY_SHIP_NETWORK', message: err.message }),
      );
      for (const b of body.slice(0, -1)) req.write(b);
      req.end(body[body.length - 1]);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** Maps a receiver answer to what the agent does next (CONTRACTS.md section 1). */
export function classify(
  status: number,
  retryAfter: string | string[] | undefined,
  text: string,
  count: number,
): Outcome {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const code: string = typeof json?.error?.code === 'string' ? json.error.code : `HTTP_${status}`;
  const message: string = typeof json?.error?.message === 'string' ? json.error.message : `receiver answered ${status}`;
  if (status === 200) {
    const ok =
      Number.isSafeInteger(json?.accepted) && Number.isSafeInteger(json?.duplicates) && Array.isArray(json?.rejected);
    if (
      ok &&
      json.accepted + json.duplicates + json.rejected.length === count &&
      json.accepted >= 0 &&
      json.duplicates >= 0
    ) {
      return { kind: 'ok', accepted: json.accepted, duplicates: json.duplicates, rejected: json.rejected };
    }
    // Re-sending is safe (ids are idempotent); accepting a miscount is not.
    return {
      kind: 'retry',
      status,
      code: 'GATEWAY_SHIP_BAD_ANSWER',
      message: 'receiver answered 200 with counts that do not add up',
    };
  }
  if (status === 413 || status === 400) return { kind: 'split', status, code };
  if (status === 401 || status === 403)
    return { kind: 'retry', status, code, message: `credentials refused: ${message}`, slow: true };
  if (status === 429 || status === 503) {
    const ra = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    return {
      kind: 'retry',
      status,
      code,
      message,
      ...(Number.isFinite(ra) && ra >= 0 ? { retryAfterMs: Math.min(ra, 3600) * 1000 } : {}),
    };
  }
  return { kind: 'retry', status, code, message, slow: status === 404 };
}

const EVENT_MEMBER = Buffer.from(',"event":');
const COMMA = Buffer.from(',');

/**
 * Records `from`..`to` of `data` as the members of a JSON `events` array, comma-separated: a record
 * with a raw `"event":<line>` (always its last member) gets `"line":"<the line as a JSON string>"`
 * instead; records already in the `line` form are copied as they are. The first `,"event":` of a
 * record is its member, never text inside an id or file name: inside a JSON string a `"` is always
 * escaped, so `,"` cannot occur there.
 */
export function jsonEvents(data: Buffer, ends: readonly number[], from: number, to: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = from; i < to; i++) {
    const start = i === 0 ? 0 : ends[i - 1]!;
    const rec = data.subarray(start, ends[i]! - 1);
    const at = rec.indexOf(EVENT_MEMBER);
    if (i > from) parts.push(COMMA);
    if (at < 0) parts.push(rec);
    else {
      const line = rec.toString('utf8', at + EVENT_MEMBER.length, rec.length - 1);
      parts.push(rec.subarray(0, at), Buffer.from(`,"line":${JSON.stringify(line)}}`));
    }
  }
  return Buffer.concat(parts);
}

function recordId(part: Part): string | undefined {
  const start = part.from === 0 ? 0 : part.ends[part.from - 1]!;
  const m = /^\{"id":"([^"]*)"/.exec(
    part.data.subarray(start, Math.min(start + 300, part.ends[part.from]!)).toString('utf8'),
  );
  return m?.[1];
}
