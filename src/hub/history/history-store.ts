import { sql, type Kysely, type Selectable } from 'kysely';
import { MsecError, type AcceptedReadingsOutbox, type Dialect, type Logger, type Store } from '../../core/index.ts';
import type { TwinPath } from '../twins/names.ts';
import type { TwinValue } from '../twins/model.ts';
import { insertHistorySqlite, numericOf } from './bulk-insert.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { HistoryTables } from './schema.ts';

export type HistoryRow = Selectable<HistoryTables['hub_history']>;
type Row = HistoryRow;
export type NewHistoryRow = Omit<Row, 'id' | 'value_num' | 'value'> & { value: TwinValue };

export interface HistoryPoint {
  seq: number;
  timestamp: number;
  receivedAt: number;
  value: TwinValue;
  unit: string | null;
  deviceId: string;
  signature: string;
  origin: string | null;
}

export interface HistoryBucket {
  start: number;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
}

export interface RangeQuery {
  from: number;
  to: number;
  limit: number;
  cursor?: string | undefined;
}

export const MAX_PAGE = 1000;
const INSERT_ROWS = 500;
export const MAX_BUCKETS = 10_000;

function pointOf(
  r: Pick<Row, 'id' | 'ts' | 'received_at' | 'value' | 'unit' | 'device_id' | 'signature' | 'origin'>,
): HistoryPoint {
  return {
    seq: r.id,
    timestamp: r.ts,
    receivedAt: r.received_at,
    value: JSON.parse(r.value) as TwinValue,
    unit: r.unit,
    deviceId: r.device_id,
    signature: r.signature,
    origin: r.origin,
  };
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Every accepted reading, through the store port. Writes are batched (one multi-row insert per
 * flush) and `append` resolves once its batch is committed, so a caller that acknowledges
 * after awaiting it never acknowledges a lost reading. Duplicates (same device and counter, or
 * same federation origin and sequence) are ignored, which makes redelivery idempotent.
 */
/** How long after its receipt a reading is handed to cursor readers (longer than any commit takes). */
export const OUTBOX_SETTLE_MS = 500;

export class HistoryStore {
  readonly db: Kysely<HistoryTables>;
  private readonly dialect: Dialect;
  private queue: NewHistoryRow[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    store: Store,
    private readonly logger: Logger,
    private readonly opts: { batchSize: number; maxDelayMs: number } = { batchSize: 500, maxDelayMs: 20 },
  ) {
    this.db = store.db.withTables<HistoryTables>();
    this.dialect = store.dialect;
  }

  append(row: NewHistoryRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(row);
      this.waiters.push({ resolve, reject });
      if (this.queue.length >= this.opts.batchSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.opts.maxDelayMs);
    });
  }

  /** Writes everything queued; resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.queue;
    const waiters = this.waiters;
    this.queue = [];
    this.waiters = [];
    // Batches commit in order, one at a time.
    this.flushing = this.flushing.then(async () => {
      if (rows.length === 0) return;
      try {
        if (this.dialect === 'sqlite') await insertHistorySqlite(this.db, rows);
        // PostgreSQL: one multi-row statement per default batch (16 columns x 500 rows stays
        // well under its 65535 parameters), a round trip each.
        else
          for (let i = 0; i < rows.length; i += INSERT_ROWS) {
            const values = rows
              .slice(i, i + INSERT_ROWS)
              .map((r) => ({ ...r, value: JSON.stringify(r.value), value_num: numericOf(r.value) }));
            await this.db
              .insertInto('hub_history')
              .values(values)
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.logger.error({ err, rows: rows.length }, 'history batch failed');
        const e = new MsecError('STORAGE_ERROR', 'history write failed', { cause: err });
        for (const w of waiters) w.reject(e);
      }
    });
    return this.flushing;
  }

  /** Points of one resource in [from, to), oldest first, a page at a time. */
  async range(path: TwinPath, q: RangeQuery): Promise<{ items: HistoryPoint[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(1, q.limit), MAX_PAGE);
    let query = this.db
      .selectFrom('hub_history')
      .select(['id', 'ts', 'received_at', 'value', 'unit', 'device_id', 'signature', 'origin'])
      .where('provider', '=', path.provider)
      .where('service', '=', path.service)
      .where('resource', '=', path.resource)
      .where('ts', '>=', q.from)
      .where('ts', '<', q.to);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      query = query.where((eb) => eb.or([eb('ts', '>', c.ts), eb.and([eb('ts', '=', c.ts), eb('id', '>', c.id)])]));
    }
    const rows = await query
      .orderBy('ts')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(pointOf),
      nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  }

  /** Downsampled: count, min, max and average of numeric values per bucket of `bucketMs`. */
  async buckets(path: TwinPath, from: number, to: number, bucketMs: number): Promise<HistoryBucket[]> {
    if (!Number.isSafeInteger(bucketMs) || bucketMs < 1)
      throw new MsecError('VALIDATION_FAILED', 'bucket must be a positive number of milliseconds');
    if ((to - from) / bucketMs > MAX_BUCKETS)
      throw new MsecError(
        'VALIDATION_FAILED',
        `at most ${MAX_BUCKETS} buckets per query; widen the bucket or narrow the range`,
      );
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to))
      throw new MsecError('VALIDATION_FAILED', 'from and to must be integer milliseconds');
    // Buckets are aligned on `from`. Integer literals (validated above) keep the division integral
    // on both dialects; bound parameters would be REAL on SQLite and numeric on PostgreSQL.
    const bucketExpr = sql`(ts - ${sql.lit(from)}) / ${sql.lit(bucketMs)}`;
    const start = sql<number>`${bucketExpr}`;
    const rows = await this.db
      .selectFrom('hub_history')
      .select([
        start.as('b'),
        sql<number>`count(*)`.as('count'),
        sql<number | null>`min(value_num)`.as('min'),
        sql<number | null>`max(value_num)`.as('max'),
        sql<number | null>`avg(value_num)`.as('avg'),
      ])
      .where('provider', '=', path.provider)
      .where('service', '=', path.service)
      .where('resource', '=', path.resource)
      .where('ts', '>=', from)
      .where('ts', '<', to)
      .groupBy(bucketExpr)
      .orderBy('b')
      .execute();
    return rows.map((r) => ({
      start: from + Number(r.b) * bucketMs,
      count: Number(r.count),
      min: r.min === null ? null : Number(r.min),
      max: r.max === null ? null : Number(r.max),
      avg: r.avg === null ? null : Number(r.avg),
    }));
  }

  /** The latest point by device time (ties: the later arrival), not the last inserted. */
  async latest(path: TwinPath): Promise<HistoryPoint | undefined> {
    const row = await this.db
      .selectFrom('hub_history')
      .select(['id', 'ts', 'received_at', 'value', 'unit', 'device_id', 'signature', 'origin'])
      .where('provider', '=', path.provider)
      .where('service', '=', path.service)
      .where('resource', '=', path.resource)
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && pointOf(row);
  }

  /** Retention: deletes readings received before `cutoff`; returns how many. */
  async deleteReceivedBefore(cutoff: number): Promise<number> {
    const res = await this.db.deleteFrom('hub_history').where('received_at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Local readings (never re-export what came from a partner) after `seq`, for federation. */
  /** The durable record of local readings, read by cursor (the ledger logs from it). */
  outbox(now: () => number): AcceptedReadingsOutbox {
    return {
      settleMs: OUTBOX_SETTLE_MS,
      readAfter: async (afterSeq, limit) => {
        const rows = await this.db
          .selectFrom('hub_history')
          .select(['id', 'cose'])
          .where('id', '>', afterSeq)
          .where('origin', 'is', null)
          .where('cose', 'is not', null)
          .where('received_at', '<=', now() - OUTBOX_SETTLE_MS)
          .orderBy('id')
          .limit(limit)
          .execute();
        return rows.map((r) => ({ seq: Number(r.id), cose: r.cose! }));
      },
    };
  }

  async localAfter(seq: number, limit: number, notAfterReceivedAt: number): Promise<Row[]> {
    return this.db
      .selectFrom('hub_history')
      .selectAll()
      .where('id', '>', seq)
      .where('origin', 'is', null)
      .where('received_at', '<=', notAfterReceivedAt)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Local numeric readings of `org` with device time in [from, to), summarised per provider,
   * service, resource, device and window of `windowMs` (windows aligned on the epoch), for
   * aggregating federation agreements.
   */
  async localWindows(org: string, from: number, to: number, windowMs: number): Promise<LocalWindow[]> {
    if (![from, to, windowMs].every(Number.isSafeInteger) || windowMs < 1)
      throw new MsecError('VALIDATION_FAILED', 'window bounds must be integer milliseconds');
    // An integer literal keeps the division integral on both dialects (see buckets()).
    const windowExpr = sql`ts / ${sql.lit(windowMs)}`;
    const rows = await this.db
      .selectFrom('hub_history')
      .select([
        'provider',
        'service',
        'resource',
        'device_id',
        sql<number>`${windowExpr}`.as('w'),
        sql<number>`count(*)`.as('count'),
        sql<number>`min(value_num)`.as('min'),
        sql<number>`max(value_num)`.as('max'),
        sql<number>`avg(value_num)`.as('avg'),
        sql<string | null>`max(unit)`.as('unit'),
      ])
      .where('org', '=', org)
      .where('origin', 'is', null)
      .where('value_num', 'is not', null)
      .where('ts', '>=', from)
      .where('ts', '<', to)
      .groupBy(['provider', 'service', 'resource', 'device_id', windowExpr])
      .orderBy('w')
      .orderBy('provider')
      .orderBy('service')
      .orderBy('resource')
      .orderBy('device_id')
      .execute();
    return rows.map((r) => ({
      provider: r.provider,
      service: r.service,
      resource: r.resource,
      deviceId: r.device_id,
      window: Number(r.w),
      count: Number(r.count),
      min: Number(r.min),
      max: Number(r.max),
      avg: Number(r.avg),
      unit: r.unit,
    }));
  }

  /** Device time of the earliest local reading of `org`, if any. */
  async earliestLocal(org: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('hub_history')
      .select((eb) => eb.fn.min('ts').as('ts'))
      .where('org', '=', org)
      .where('origin', 'is', null)
      .executeTakeFirst();
    return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts);
  }

  async stop(): Promise<void> {
    await this.flush();
  }
}

export interface LocalWindow {
  provider: string;
  service: string;
  resource: string;
  deviceId: string;
  /** Window index: its start is window × windowMs. */
  window: number;
  count: number;
  min: number;
  max: number;
  avg: number;
  unit: string | null;
}

/** Periodic retention: deletes history older than `days`; returns the stopper. */
export function startRetention(
  history: HistoryStore,
  days: number,
  now: () => number,
  logger: Logger,
  everyMs = 3600_000,
): () => void {
  const run = async () => {
    try {
      const n = await history.deleteReceivedBefore(now() - days * 86400_000);
      if (n > 0) logger.info({ deleted: n, days }, 'history retention');
    } catch (err) {
      logger.error({ err }, 'history retention failed');
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
