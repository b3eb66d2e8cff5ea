import { sql, type Kysely } from 'kysely';
import { columnTypes, MsecError, type Clock, type ModuleMigration, type Store } from '../core/index.ts';

/** Requests are summed per hour: reports cover whole hours. */
export const USAGE_BUCKET_MS = 3_600_000;

export type UsageTables = {
  iam_usage: {
    bucket: number;
    /** '' for anonymous callers. */
    principal_id: string;
    principal_name: string | null;
    org_id: string | null;
    resource: string;
    requests: number;
    denials: number;
    failures: number;
    bytes_in: number;
    bytes_out: number;
  };
};

export const usageMigrations: ModuleMigration[] = [
  {
    name: 'iam_030_usage',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_usage')
        .addColumn('bucket', t.bigint, (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('principal_name', 'text')
        .addColumn('org_id', 'text')
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('requests', t.bigint, (c) => c.notNull())
        .addColumn('denials', t.bigint, (c) => c.notNull())
        .addColumn('failures', t.bigint, (c) => c.notNull())
        .addColumn('bytes_in', t.bigint, (c) => c.notNull())
        .addColumn('bytes_out', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_usage_pk', ['bucket', 'principal_id', 'resource'])
        .execute();
      await db.schema.createIndex('iam_usage_org').on('iam_usage').columns(['org_id', 'bucket']).execute();
    },
  },
];

/** One answered request, as the server saw it. */
export interface UsageSample {
  principalId?: string | null | undefined;
  principalName?: string | null | undefined;
  orgId?: string | null | undefined;
  /** What was touched: the action's `module:resource` (e.g. `hub:device`) or the route. */
  resource: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
}

export type ReportBy = 'principal' | 'resource';

export interface ReportQuery {
  by: ReportBy;
  /** Start of the period (ms, inclusive); rounded down to the hour. */
  from: number;
  /** End of the period (ms, exclusive); rounded up to the hour. */
  to: number;
  /** Only this organisation's requests. */
  orgId?: string | undefined;
}

export interface ReportRow {
  /** `principal`: the principal id ('' = anonymous); `resource`: the resource. */
  key: string;
  principalName: string | null;
  org: string | null;
  requests: number;
  denials: number;
  failures: number;
  bytesIn: number;
  bytesOut: number;
  /** `resource` reports: how many distinct principals; `principal` reports: how many resources. */
  distinct: number;
}

export interface UsageReport {
  by: ReportBy;
  from: number;
  to: number;
  rows: ReportRow[];
}

interface Pending {
  principalName: string | null;
  orgId: string | null;
  requests: number;
  denials: number;
  failures: number;
  bytesIn: number;
  bytesOut: number;
}

const MAX_PENDING = 20_000;

/**
 * Accounting of every answered request per principal, resource and hour: requests, denials,
 * failures and bytes each way. Samples are summed in memory and added to the store every
 * `flushMs` (each process adds its own, so the sums hold however many processes run).
 */
export class UsageAccounting {
  private readonly db: Kysely<UsageTables>;
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Samples lost because the store refused them for too long (memory stays bounded). */
  lost = 0;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly flushMs = 10_000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.db = store.db.withTables<UsageTables>();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(this.onError), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush().catch(this.onError);
  }

  /** Counts one request; never throws, never waits. */
  record(s: UsageSample): void {
    const bucket = Math.floor(this.clock.now() / USAGE_BUCKET_MS) * USAGE_BUCKET_MS;
    const id = s.principalId ?? '';
    const k = JSON.stringify([bucket, id, s.resource.slice(0, 200)]);
    let p = this.pending.get(k);
    if (!p) {
      if (this.pending.size >= MAX_PENDING) {
        if (this.pending.size >= MAX_PENDING * 4) {
          this.lost++;
          return;
        }
        void this.flush().catch(this.onError);
      }
      p = {
        principalName: s.principalName ?? null,
        orgId: s.orgId ?? null,
        requests: 0,
        denials: 0,
        failures: 0,
        bytesIn: 0,
        bytesOut: 0,
      };
      this.pending.set(k, p);
    }
    p.requests++;
    if (s.status === 401 || s.status === 403 || s.status === 423) p.denials++;
    else if (s.status >= 400) p.failures++;
    p.bytesIn += Math.max(0, s.bytesIn | 0);
    p.bytesOut += Math.max(0, s.bytesOut | 0);
  }

  /** Adds what was counted since the last flush to the store. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(batch: Map<string, Pending>): Promise<void> {
    const rows = [...batch].map(([k, p]) => {
      const [bucket, principalId, resource] = JSON.parse(k) as [number, string, string];
      return {
        bucket,
        principal_id: principalId,
        principal_name: p.principalName,
        org_id: p.orgId,
        resource,
        requests: p.requests,
        denials: p.denials,
        failures: p.failures,
        bytes_in: p.bytesIn,
        bytes_out: p.bytesOut,
      };
    });
    try {
      for (let i = 0; i < rows.length; i += 200) {
        await this.db
          .insertInto('iam_usage')
          .values(rows.slice(i, i + 200))
          .onConflict((oc) =>
            oc.columns(['bucket', 'principal_id', 'resource']).doUpdateSet((eb) => ({
              requests: sql`iam_usage.requests + ${eb.ref('excluded.requests')}`,
              denials: sql`iam_usage.denials + ${eb.ref('excluded.denials')}`,
              failures: sql`iam_usage.failures + ${eb.ref('excluded.failures')}`,
              bytes_in: sql`iam_usage.bytes_in + ${eb.ref('excluded.bytes_in')}`,
              bytes_out: sql`iam_usage.bytes_out + ${eb.ref('excluded.bytes_out')}`,
              principal_name: eb.ref('excluded.principal_name'),
            })),
          )
          .execute();
        // Written rows leave the batch, so a failure below re-queues only the rest.
        for (const r of rows.slice(i, i + 200)) batch.delete(JSON.stringify([r.bucket, r.principal_id, r.resource]));
      }
    } catch (err) {
      // Keep the unwritten counts for the next flush (merged into what arrived meanwhile).
      for (const [k, p] of batch) {
        const q = this.pending.get(k);
        if (!q) this.pending.set(k, p);
        else
          Object.assign(q, {
            requests: q.requests + p.requests,
            denials: q.denials + p.denials,
            failures: q.failures + p.failures,
            bytesIn: q.bytesIn + p.bytesIn,
            bytesOut: q.bytesOut + p.bytesOut,
          });
      }
      throw err;
    }
  }

  /** Sums per principal or per resource over whole hours of [from, to). */
  async report(q: ReportQuery): Promise<UsageReport> {
    if (!Number.isFinite(q.from) || !Number.isFinite(q.to) || q.from >= q.to)
      throw new MsecError('IAM_AUDIT_REPORT_INVALID', 'the period must have from before to');
    if (q.by !== 'principal' && q.by !== 'resource')
      throw new MsecError('IAM_AUDIT_REPORT_INVALID', 'by must be principal or resource');
    const from = Math.floor(q.from / USAGE_BUCKET_MS) * USAGE_BUCKET_MS;
    const to = Math.ceil(q.to / USAGE_BUCKET_MS) * USAGE_BUCKET_MS;
    const key = q.by === 'principal' ? 'principal_id' : 'resource';
    const other = q.by === 'principal' ? 'resource' : 'principal_id';
    let sel = this.db
      .selectFrom('iam_usage')
      .select((eb) => [
        eb.ref(key).as('key'),
        eb.fn.max('principal_name').as('principal_name'),
        eb.fn.max('org_id').as('org_id'),
        eb.fn.sum<string | number>('requests').as('requests'),
        eb.fn.sum<string | number>('denials').as('denials'),
        eb.fn.sum<string | number>('failures').as('failures'),
        eb.fn.sum<string | number>('bytes_in').as('bytes_in'),
        eb.fn.sum<string | number>('bytes_out').as('bytes_out'),
        eb.fn.count<string | number>(other).distinct().as('distinct'),
      ])
      .where('bucket', '>=', from)
      .where('bucket', '<', to);
    if (q.orgId !== undefined) sel = sel.where('org_id', '=', q.orgId);
    const rows = await sel.groupBy(key).orderBy(key).execute();
    return {
      by: q.by,
      from,
      to,
      rows: rows.map((r) => ({
        key: String(r.key),
        // One name per principal; a resource row gathers many, so it names none.
        principalName: q.by === 'principal' ? (r.principal_name ?? null) : null,
        org: q.by === 'principal' ? (r.org_id ?? null) : null,
        requests: Number(r.requests),
        denials: Number(r.denials),
        failures: Number(r.failures),
        bytesIn: Number(r.bytes_in),
        bytesOut: Number(r.bytes_out),
        distinct: Number(r.distinct),
      })),
    };
  }
}
