/**
 * Issue 14 accounting: `verifyAuditTrail` (msec audit verify) passes on an untouched log and
 * names the first altered row after a row is changed directly in the database, on SQLite and
 * PostgreSQL; rewriting the recorded row hash too is caught by the ledger-logged chain head.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { generatePlatformKey, systemClock, silentLogger, type Store } from '../src/core/index.ts';
import { AuditHeads, AuditLog, iamMigrations, verifyAuditTrail } from '../src/iam/index.ts';
import { ledgerMigrations, TransparencyLog } from '../src/ledger/index.ts';
import { storeCases } from './helpers/stores.ts';

describe.each(storeCases)('audit verify on $name', (storeCase) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setup() {
    const opened = await storeCase.open([...iamMigrations, ...ledgerMigrations]);
    cleanup = opened.cleanup;
    const store: Store = opened.store;
    const key = generatePlatformKey();
    const log = await TransparencyLog.open({ store, key });
    const audit = new AuditLog(store, systemClock);
    const heads = new AuditHeads({ log, store, logger: silentLogger(), intervalMs: 60_000, now: () => Date.now() });
    const add = async (n: number) => {
      for (let i = 0; i < n; i++)
        await audit.append({ actorId: 'p1', actorName: 'alice', action: 'vault:record:write', outcome: 'succeeded' });
    };
    await add(5);
    await heads.appendHead();
    await add(4);
    await heads.appendHead();
    await add(2);
    const verify = () => verifyAuditTrail({ store, log, ledgerKey: key.publicKey });
    const ids = (await store.db.withTables<any>().selectFrom('iam_audit_log').select('id').orderBy('id').execute()).map(
      (r: { id: number | string }) => Number(r.id),
    );
    const dropGuard = () =>
      storeCase.name === 'sqlite'
        ? sql`DROP TRIGGER iam_audit_no_update`.execute(store.db)
        : sql`DROP TRIGGER iam_audit_no_update ON iam_audit_log`.execute(store.db);
    return { store, verify, ids, dropGuard };
  }

  it('passes on an untouched log, counting anchored and unanchored rows', async () => {
    const { verify } = await setup();
    const r = await verify();
    expect(r).toMatchObject({ ok: true, rowsChecked: 9, headsChecked: 2, unanchoredRows: 2 });
  });

  it('names the first altered row after rows are changed directly in the database', async () => {
    const { store, verify, ids, dropGuard } = await setup();
    await dropGuard();
    const seventh = ids[6]!;
    await sql`UPDATE iam_audit_log SET outcome = 'denied' WHERE id = ${ids[8]!}`.execute(store.db);
    await sql`UPDATE iam_audit_log SET actor_name = 'mallory' WHERE id = ${seventh}`.execute(store.db);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ auditId: seventh });
    expect(r.failure!.reason).toMatch(/altered/);
  });

  it('catches a row rewritten together with its recorded hash (the chain head in the ledger differs)', async () => {
    const { store, verify, ids, dropGuard } = await setup();
    await dropGuard();
    const second = ids[1]!;
    await sql`UPDATE iam_audit_log SET action = 'nothing' WHERE id = ${second}`.execute(store.db);
    const { auditEntryHash } = await import('../src/iam/index.ts');
    const row = await store.db
      .withTables<any>()
      .selectFrom('iam_audit_log')
      .selectAll()
      .where('id', '=', second)
      .executeTakeFirstOrThrow();
    await sql`UPDATE iam_audit_row_hashes SET entry_hash = ${auditEntryHash(row as Parameters<typeof auditEntryHash>[0])} WHERE audit_id = ${second}`.execute(
      store.db,
    );
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ auditId: ids[0], reason: 'recorded row hashes altered' });
  });

  it('names a deleted row', async () => {
    const { store, verify, ids } = await setup();
    // Retention replaced the blanket delete guard with one that spares only ledger-anchored rows.
    if (storeCase.name === 'sqlite') await sql`DROP TRIGGER iam_audit_delete_anchored`.execute(store.db);
    else await sql`DROP TRIGGER iam_audit_delete_anchored ON iam_audit_log`.execute(store.db);
    await sql`DELETE FROM iam_audit_log WHERE id = ${ids[3]!}`.execute(store.db);
    expect((await verify()).failure).toMatchObject({ auditId: ids[3], reason: 'row deleted' });
  });
});
