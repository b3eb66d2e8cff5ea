import { sql, type Kysely } from 'kysely';
import { columnTypes, type Logger, type ModuleMigration, type Store } from '../core/index.ts';
import { auditEntryHash, chainAuditHead, type AuditHeadTables } from './audit-heads.ts';
import { DEFAULT_AUDIT_RETENTION, type AuditRetention } from './audit-settings.ts';
import type { IamTables } from './schema.ts';

/**
 * The retained start of the audit trail: every row up to `after_id` was deleted by retention, and
 * `head` (logged in the ledger as entry `entry_idx`) is the chained hash over exactly those rows,
 * so the chain is verified from here on as if the deleted rows were still there.
 */
export type AuditCheckpointTables = {
  iam_audit_checkpoints: { after_id: number; entry_idx: number; head: Buffer; created_at: number };
};
type Tables = IamTables & AuditHeadTables & AuditCheckpointTables;

/**
 * Retention without giving up the chain. The storage refuses, by trigger, to delete any audit row
 * above the latest checkpoint, and refuses a checkpoint that is not a head already logged in the
 * ledger (same rows covered, same hash, same ledger index). So no code path can delete rows that
 * no ledger-logged head covers, nor leave a gap verification cannot bridge.
 */
export const auditRetentionMigrations: ModuleMigration[] = [
  {
    name: 'iam_013_audit_retention',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_audit_checkpoints')
        .addColumn('after_id', t.bigint, (c) => c.primaryKey())
        .addColumn('entry_idx', t.bigint, (c) => c.notNull())
        .addColumn('head', t.blob, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('iam_audit_heads_last').on('iam_audit_heads').column('last_audit_id').execute();
      const run = (s: string) => sql.raw(s).execute(db);
      if (dialect === 'sqlite') {
        await run(`DROP TRIGGER iam_audit_no_delete`);
        await run(
          `CREATE TRIGGER iam_audit_delete_anchored BEFORE DELETE ON iam_audit_log WHEN OLD.id > (SELECT coalesce(max(after_id), 0) FROM iam_audit_checkpoints) BEGIN SELECT RAISE(ABORT, 'audit rows after the retained-start checkpoint are append-only'); END`,
        );
        await run(
          `CREATE TRIGGER iam_audit_checkpoint_logged BEFORE INSERT ON iam_audit_checkpoints WHEN NOT EXISTS (SELECT 1 FROM iam_audit_heads WHERE last_audit_id = NEW.after_id AND entry_idx = NEW.entry_idx AND head = NEW.head) BEGIN SELECT RAISE(ABORT, 'an audit checkpoint must be a ledger-logged audit head'); END`,
        );
        await run(
          `CREATE TRIGGER iam_audit_checkpoint_fixed BEFORE UPDATE ON iam_audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`,
        );
      } else {
        await run(`DROP TRIGGER iam_audit_no_change ON iam_audit_log`);
        await run(
          `CREATE TRIGGER iam_audit_no_update BEFORE UPDATE ON iam_audit_log FOR EACH ROW EXECUTE FUNCTION iam_audit_append_only()`,
        );
        // Tables are named through the trigger's own schema: each store may live in its own.
        await run(`CREATE OR REPLACE FUNCTION iam_audit_delete_anchored() RETURNS trigger AS $$
          DECLARE bound bigint;
          BEGIN
            EXECUTE format('SELECT coalesce(max(after_id), 0) FROM %I.iam_audit_checkpoints', TG_TABLE_SCHEMA) INTO bound;
            IF OLD.id > bound THEN RAISE EXCEPTION 'audit rows after the retained-start checkpoint are append-only'; END IF;
            RETURN OLD;
          END $$ LANGUAGE plpgsql`);
        await run(
          `CREATE TRIGGER iam_audit_delete_anchored BEFORE DELETE ON iam_audit_log FOR EACH ROW EXECUTE FUNCTION iam_audit_delete_anchored()`,
        );
        await run(`CREATE OR REPLACE FUNCTION iam_audit_checkpoint_logged() RETURNS trigger AS $$
          DECLARE found boolean;
          BEGIN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.iam_audit_heads WHERE last_audit_id = $1 AND entry_idx = $2 AND head = $3)', TG_TABLE_SCHEMA)
              INTO found USING NEW.after_id, NEW.entry_idx, NEW.head;
            IF NOT found THEN RAISE EXCEPTION 'an audit checkpoint must be a ledger-logged audit head'; END IF;
            RETURN NEW;
          END $$ LANGUAGE plpgsql`);
        await run(
          `CREATE TRIGGER iam_audit_checkpoint_logged BEFORE INSERT ON iam_audit_checkpoints FOR EACH ROW EXECUTE FUNCTION iam_audit_checkpoint_logged()`,
        );
        await run(
          `CREATE TRIGGER iam_audit_checkpoint_fixed BEFORE UPDATE OR DELETE ON iam_audit_checkpoints FOR EACH ROW EXECUTE FUNCTION iam_audit_append_only()`,
        );
      }
    },
  },
];

/** Rows deleted per statement, so a first run over a large backlog holds no long lock. */
const DELETE_CHUNK = 20_000;

export interface RetentionRun {
  /** Rows deleted in this run. */
  deleted: number;
  /** Every row up to this id is gone; verification starts after it. */
  retainedAfter: number;
}

/**
 * Bounds the audit log by age and row count, deleting only up to the newest ledger-logged head
 * that lies within what the policy would drop (so some rows past the limits may stay until the
 * next head; never the other way round).
 */
export class AuditRetentionJob {
  private readonly db: Kysely<Tables>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    store: Store,
    private readonly opts: {
      retention?: AuditRetention | undefined;
      now: () => number;
      logger?: Pick<Logger, 'info'> | undefined;
    },
  ) {
    this.db = store.db.withTables<Tables>();
  }

  run(): Promise<RetentionRun> {
    const next = this.chain.then(() => this.runOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runOnce(): Promise<RetentionRun> {
    const { maxAgeMs, maxRows } = this.opts.retention ?? DEFAULT_AUDIT_RETENTION;
    const current = await latestCheckpoint(this.db);
    const retainedAfter = current ? Number(current.after_id) : 0;
    const newest = await this.db
      .selectFrom('iam_audit_log')
      .select((eb) => eb.fn.max<number>('id').as('id'))
      .executeTakeFirst();
    const maxId = Number(newest?.id ?? 0);
    if (maxId === 0) return { deleted: 0, retainedAfter };
    const old = await this.db
      .selectFrom('iam_audit_log')
      .select((eb) => eb.fn.max<number>('id').as('id'))
      .where('at', '<', this.opts.now() - maxAgeMs)
      .executeTakeFirst();
    // Ids grow by one per row, so the newest maxRows rows are those above maxId - maxRows.
    const target = Math.max(Number(old?.id ?? 0), maxId - maxRows);
    const head = await this.db
      .selectFrom('iam_audit_heads')
      .selectAll()
      .where('last_audit_id', '<=', target)
      .where('last_audit_id', '>', retainedAfter)
      .orderBy('last_audit_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!head) return { deleted: 0, retainedAfter };
    const bound = Number(head.last_audit_id);
    const before = await this.countRows();
    // The checkpoint first: it is what lets the storage accept the deletes below it.
    await this.db
      .insertInto('iam_audit_checkpoints')
      .values({
        after_id: bound,
        entry_idx: head.entry_idx,
        head: head.head,
        created_at: this.opts.now(),
      })
      .execute();
    for (let low = retainedAfter; low < bound; low += DELETE_CHUNK) {
      await this.db
        .deleteFrom('iam_audit_log')
        .where('id', '<=', Math.min(bound, low + DELETE_CHUNK))
        .execute();
    }
    const deleted = before - (await this.countRows());
    this.opts.logger?.info({ deleted, retainedAfter: bound, ledgerEntry: Number(head.entry_idx) }, 'audit retention');
    return { deleted, retainedAfter: bound };
  }

  private async countRows(): Promise<number> {
    const r = await this.db
      .selectFrom('iam_audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}

async function latestCheckpoint(db: Kysely<Tables>) {
  return db.selectFrom('iam_audit_checkpoints').selectAll().orderBy('after_id', 'desc').limit(1).executeTakeFirst();
}

export interface AuditChainVerdict {
  ok: boolean;
  /** Rows up to this id were removed by retention (0: none); the chain is checked from its head. */
  retainedAfter: number;
  /** Ledger-logged heads recomputed from the retained rows. */
  headsChecked: number;
  rowsChecked: number;
  /** Rows newer than the last head (not yet anchored, so never deleted). */
  unanchoredRows: number;
  problem?: string;
}

/**
 * Recomputes every audit head from the retained rows, starting at the retained-start checkpoint
 * (or 32 zero bytes when nothing was deleted). With `ledgerHash`, also checks that each head (and
 * the checkpoint) is what the ledger holds at its index.
 */
export async function verifyAuditChain(
  store: Store,
  ledgerHash?: (entryIndex: number) => Promise<string>,
): Promise<AuditChainVerdict> {
  const db = store.db.withTables<Tables>();
  const cp = await latestCheckpoint(db);
  const retainedAfter = cp ? Number(cp.after_id) : 0;
  const verdict: AuditChainVerdict = { ok: true, retainedAfter, headsChecked: 0, rowsChecked: 0, unanchoredRows: 0 };
  const fail = (problem: string): AuditChainVerdict => ({ ...verdict, ok: false, problem });
  let head: Buffer = cp ? Buffer.from(cp.head) : Buffer.alloc(32);
  if (cp && ledgerHash && (await ledgerHash(Number(cp.entry_idx))) !== head.toString('hex'))
    return fail(`the checkpoint's head is not ledger entry ${Number(cp.entry_idx)}`);
  const stray = await db.selectFrom('iam_audit_log').select('id').where('id', '<=', retainedAfter).limit(1).execute();
  if (stray.length > 0) return fail(`row ${Number(stray[0]!.id)} lies before the retained start`);
  const heads = await db
    .selectFrom('iam_audit_heads')
    .selectAll()
    .where('last_audit_id', '>', retainedAfter)
    .orderBy('last_audit_id', 'asc')
    .execute();
  let after = retainedAfter;
  for (const h of heads) {
    const last = Number(h.last_audit_id);
    const rows = await db
      .selectFrom('iam_audit_log')
      .selectAll()
      .where('id', '>', after)
      .where('id', '<=', last)
      .orderBy('id', 'asc')
      .execute();
    if (rows.length !== Number(h.count))
      return fail(`head ${Number(h.entry_idx)} covered ${Number(h.count)} rows, ${rows.length} remain`);
    head = chainAuditHead(
      head,
      rows.map((r) => auditEntryHash(r)),
    );
    if (!head.equals(Buffer.from(h.head))) return fail(`rows up to ${last} do not match head ${Number(h.entry_idx)}`);
    if (ledgerHash && (await ledgerHash(Number(h.entry_idx))) !== head.toString('hex'))
      return fail(`head ${Number(h.entry_idx)} is not what the ledger holds`);
    verdict.headsChecked++;
    verdict.rowsChecked += rows.length;
    after = last;
  }
  const rest = await db
    .selectFrom('iam_audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>', after)
    .executeTakeFirst();
  verdict.unanchoredRows = Number(rest?.n ?? 0);
  return verdict;
}
