import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { generatePlatformKey, ManualClock, type Store } from '../src/core/index.ts';
import { ledgerMigrations, TransparencyLog } from '../src/ledger/index.ts';
import {
  AuditHeads,
  AuditLog,
  AuditRetentionJob,
  iamMigrations,
  verifyAuditChain,
  type IamTables,
} from '../src/iam/index.ts';
import { storeCases } from './helpers/stores.ts';

const key = generatePlatformKey();
const DAY = 86_400_000;

describe.each(storeCases)('audit retention ($name)', (c) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function open() {
    const opened = await c.open([...iamMigrations, ...ledgerMigrations]);
    cleanup = opened.cleanup;
    const store: Store = opened.store;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const log = await TransparencyLog.open({ store, key, clock });
    const audit = new AuditLog(store, clock);
    const heads = new AuditHeads({
      log,
      store,
      logger: { warn: () => {} },
      intervalMs: 60_000,
      now: () => clock.now(),
    });
    const ledgerHash = async (i: number) => (await log.getEntry(i)).dataHash;
    const rowIds = async () =>
      (await store.db.withTables<IamTables>().selectFrom('iam_audit_log').select('id').orderBy('id').execute()).map(
        (r) => Number(r.id),
      );
    const write = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) await audit.append({ action: `test:${tag}`, outcome: 'succeeded', ip: '10.0.0.1' });
    };
    return { store, clock, log, audit, heads, ledgerHash, rowIds, write };
  }

  it('drops old rows only up to the newest ledger-logged head; the chain still verifies from the retained start', async () => {
    const t = await open();
    await t.write(10, 'old');
    const h1 = await t.heads.appendHead(); // covers rows 1..10
    await t.write(5, 'old');
    const h2 = await t.heads.appendHead(); // covers rows 11..15
    await t.write(7, 'unanchored'); // rows 16..22: no head yet
    t.clock.advance(400 * DAY);
    const job = new AuditRetentionJob(t.store, {
      retention: { maxAgeMs: 365 * DAY, maxRows: 1000 },
      now: () => t.clock.now(),
    });
    // Every row is past the age limit, yet only rows covered by a logged head may go.
    const run = await job.run();
    expect(run).toEqual({ deleted: 15, retainedAfter: h2!.lastAuditId });
    expect(h1!.lastAuditId).toBe(10);
    const ids = await t.rowIds();
    expect(ids).toEqual([16, 17, 18, 19, 20, 21, 22]);
    expect(await verifyAuditChain(t.store, t.ledgerHash)).toEqual({
      ok: true,
      retainedAfter: 15,
      headsChecked: 0,
      rowsChecked: 0,
      unanchoredRows: 7,
    });
    // The next head chains on from the checkpoint, and verification recomputes it from retained rows.
    await t.heads.appendHead();
    expect(await verifyAuditChain(t.store, t.ledgerHash)).toMatchObject({
      ok: true,
      retainedAfter: 15,
      headsChecked: 1,
      rowsChecked: 7,
      unanchoredRows: 0,
    });
    // Nothing left to drop that is not anchored: a second run deletes nothing more than allowed.
    await t.write(3, 'new');
    expect((await job.run()).retainedAfter).toBe(22);
    expect(await t.rowIds()).toEqual([23, 24, 25]);
  });

  it('bounds the row count the same way, and keeps young rows within both limits', async () => {
    const t = await open();
    await t.write(30, 'a');
    await t.heads.appendHead(); // 1..30
    await t.write(30, 'b');
    await t.heads.appendHead(); // 31..60
    await t.write(30, 'c');
    await t.heads.appendHead(); // 61..90
    const keepAll = new AuditRetentionJob(t.store, {
      retention: { maxAgeMs: 365 * DAY, maxRows: 1000 },
      now: () => t.clock.now(),
    });
    expect((await keepAll.run()).deleted).toBe(0);
    const byRows = new AuditRetentionJob(t.store, {
      retention: { maxAgeMs: 365 * DAY, maxRows: 40 },
      now: () => t.clock.now(),
    });
    // The newest 40 rows are 51..90; the newest head at or below row 50 covers up to 30.
    expect(await byRows.run()).toEqual({ deleted: 30, retainedAfter: 30 });
    expect((await t.rowIds())[0]).toBe(31);
    expect(await verifyAuditChain(t.store, t.ledgerHash)).toMatchObject({ ok: true, headsChecked: 2, rowsChecked: 60 });
  });

  it('the storage itself refuses deleting unanchored rows and a checkpoint that is no logged head', async () => {
    const t = await open();
    await t.write(4, 'a');
    const h = await t.heads.appendHead();
    await t.write(2, 'b');
    const db = t.store.db.withTables<IamTables>();
    await expect(db.deleteFrom('iam_audit_log').where('id', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('iam_audit_log').set({ action: 'x' }).where('id', '=', 5).execute()).rejects.toThrow(
      /append-only/,
    );
    // A forged checkpoint beyond the head (over rows 5..6, which no head covers) is refused.
    await expect(
      sql`INSERT INTO iam_audit_checkpoints (after_id, entry_idx, head, created_at) VALUES (${6}, ${h!.index}, ${h!.head}, ${0})`.execute(
        t.store.db,
      ),
    ).rejects.toThrow(/ledger-logged audit head/);
    await expect(db.deleteFrom('iam_audit_log').where('id', '=', 5).execute()).rejects.toThrow(/append-only/);
    expect(await t.rowIds()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('verification catches an altered retained row', async () => {
    const t = await open();
    await t.write(6, 'a');
    await t.heads.appendHead();
    await t.write(6, 'b');
    await t.heads.appendHead();
    expect((await verifyAuditChain(t.store, t.ledgerHash)).ok).toBe(true);
    // Bypass the triggers the way an attacker with the database would (drop them), then tamper.
    if (c.name === 'sqlite') await sql.raw('DROP TRIGGER iam_audit_no_update').execute(t.store.db);
    else await sql.raw('DROP TRIGGER iam_audit_no_update ON iam_audit_log').execute(t.store.db);
    await t.store.db
      .withTables<IamTables>()
      .updateTable('iam_audit_log')
      .set({ outcome: 'denied' })
      .where('id', '=', 9)
      .execute();
    const v = await verifyAuditChain(t.store, t.ledgerHash);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/do not match head/);
  });
});
