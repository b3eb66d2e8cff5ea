import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { columnTypes, type Logger, type ModuleMigration, type Store } from '../core/index.ts';
import type { TransparencyLog } from '../ledger/index.ts';
import type { IamTables } from './schema.ts';

export const AUDIT_HEAD_KIND = 'audit.head';
const MAX_PER_HEAD = 10_000;

type AuditRow = IamTables['iam_audit_log'];

/** The chained hash over audit entries up to `last_audit_id`, logged as ledger entry `entry_idx`. */
export type AuditHeadTables = {
  iam_audit_heads: { entry_idx: number; head: Buffer; last_audit_id: number; count: number; created_at: number };
  /** Each chained entry's hash as it was when its head was logged: `msec audit verify` names an altered row by it. */
  iam_audit_row_hashes: { audit_id: number; entry_hash: Buffer };
};

export const auditHeadMigrations: ModuleMigration[] = [
  {
    // Until now the ledger module kept these rows (ledger_audit_heads); iam owns them, so it takes them over.
    name: 'iam_002_audit_heads',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_audit_heads')
        .addColumn('entry_idx', t.bigint, (c) => c.primaryKey())
        .addColumn('head', t.blob, (c) => c.notNull())
        .addColumn('last_audit_id', t.bigint, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      // In this database's own schema (introspection would also list other schemas' tables).
      const found =
        dialect === 'sqlite'
          ? await sql<{
              n: number;
            }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'ledger_audit_heads'`.execute(db)
          : await sql<{
              n: number;
            }>`SELECT count(*)::int AS n FROM (SELECT to_regclass('ledger_audit_heads') AS t) x WHERE t IS NOT NULL`.execute(
              db,
            );
      if (Number(found.rows[0]?.n ?? 0) > 0) {
        await sql`INSERT INTO iam_audit_heads (entry_idx, head, last_audit_id, count, created_at) SELECT entry_idx, head, last_audit_id, count, created_at FROM ledger_audit_heads`.execute(
          db,
        );
      }
    },
  },
  {
    name: 'iam_022_audit_row_hashes',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_audit_row_hashes')
        .addColumn('audit_id', t.bigint, (c) => c.primaryKey())
        .addColumn('entry_hash', t.blob, (c) => c.notNull())
        .execute();
    },
  },
];

/**
 * Hash of one audit entry: SHA-256 over the JSON array of its columns in table order, numbers as
 * numbers (PostgreSQL hands bigints back as strings, so they are normalised first).
 */
export function auditEntryHash(r: Omit<AuditRow, 'id'> & { id: number | string | bigint }): Buffer {
  const cols = [
    Number(r.id),
    Number(r.at),
    r.actor_id,
    r.actor_name,
    r.org_id,
    r.action,
    r.resource,
    r.outcome,
    r.status === null ? null : Number(r.status),
    r.ip,
    r.request_id,
    r.detail,
  ];
  return createHash('sha256').update(JSON.stringify(cols)).digest();
}

/** head' = SHA-256(head || auditEntryHash(entry)), starting from 32 zero bytes. */
export function chainAuditHead(previous: Buffer, entryHashes: readonly Buffer[]): Buffer {
  return entryHashes.reduce((head, h) => createHash('sha256').update(head).update(h).digest(), previous);
}

/**
 * Periodically logs a head of the audit trail: a hash chaining every audit entry since the last
 * head, so altering or deleting an audited entry later no longer matches a logged head.
 */
export class AuditHeads {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly db: Kysely<AuditHeadTables & IamTables>;

  constructor(
    private readonly opts: {
      log: TransparencyLog;
      store: Store;
      logger: Pick<Logger, 'warn'>;
      intervalMs: number;
      now: () => number;
    },
  ) {
    this.db = opts.store.db.withTables<AuditHeadTables & IamTables>();
  }

  start(): void {
    this.timer ??= setInterval(
      () =>
        void this.appendHead().catch((err: unknown) => this.opts.logger.warn({ err }, 'logging the audit head failed')),
      this.opts.intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.appendHead().catch((err: unknown) => this.opts.logger.warn({ err }, 'logging the audit head failed'));
  }

  /** Logs one head covering the audit entries since the last; undefined when there are none. */
  appendHead(): Promise<{ index: number; head: Buffer; lastAuditId: number; count: number } | undefined> {
    const run = this.chain.then(() => this.appendOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async appendOnce(): Promise<{ index: number; head: Buffer; lastAuditId: number; count: number } | undefined> {
    const last = await this.db
      .selectFrom('iam_audit_heads')
      .selectAll()
      .orderBy('entry_idx', 'desc')
      .limit(1)
      .executeTakeFirst();
    const after = last ? Number(last.last_audit_id) : 0;
    const rows = await this.db
      .selectFrom('iam_audit_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id', 'asc')
      .limit(MAX_PER_HEAD)
      .execute();
    const lastRow = rows[rows.length - 1];
    if (!lastRow) return undefined;
    const hashes = rows.map((r) => auditEntryHash(r));
    const head = chainAuditHead(last ? Buffer.from(last.head) : Buffer.alloc(32), hashes);
    for (let i = 0; i < rows.length; i += 500)
      await this.db
        .insertInto('iam_audit_row_hashes')
        .values(rows.slice(i, i + 500).map((r, j) => ({ audit_id: Number(r.id), entry_hash: hashes[i + j]! })))
        .onConflict((oc) => oc.column('audit_id').doNothing())
        .execute();
    const { index } = await this.opts.log.append({ kind: AUDIT_HEAD_KIND, dataHash: head });
    const lastAuditId = Number(lastRow.id);
    await this.db
      .insertInto('iam_audit_heads')
      .values({ entry_idx: index, head, last_audit_id: lastAuditId, count: rows.length, created_at: this.opts.now() })
      .execute();
    return { index, head, lastAuditId, count: rows.length };
  }
}
