/**
 * `msec audit verify`: proves the audit trail untouched. Every logged head must (1) be the chain
 * of the row hashes recorded when it was logged, (2) sit in the ledger as an `audit.head` entry
 * with a valid inclusion proof against the ledger's signed checkpoint, and every row must still
 * hash to its recorded hash. The first row that fails is named. Verification starts from a
 * retained-start anchor (`start`) where old rows were deleted by retention, else from row 0.
 */
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../core/index.ts';
import { entryLeafHash, verifyCheckpoint, verifyInclusion, type TransparencyLog } from '../ledger/index.ts';
import { AUDIT_HEAD_KIND, auditEntryHash, chainAuditHead, type AuditHeadTables } from './audit-heads.ts';
import type { IamTables } from './schema.ts';

export interface AuditVerifyStart {
  /** Rows up to this id are gone (retention); `head` is the chain head through it. */
  afterAuditId: number;
  head: Buffer;
}

export interface AuditVerifyReport {
  ok: boolean;
  rowsChecked: number;
  headsChecked: number;
  /** Rows newer than the last logged head: not yet provable. */
  unanchoredRows: number;
  checkpointSize: number;
  /** The first failure, by audit row id where one can be named. */
  failure?: { auditId?: number; entryIdx?: number; reason: string };
}

const PAGE = 5000;

export async function verifyAuditTrail(opts: {
  store: Store;
  log: TransparencyLog;
  ledgerKey: KeyObject;
  start?: AuditVerifyStart | undefined;
}): Promise<AuditVerifyReport> {
  const db = opts.store.db.withTables<AuditHeadTables & IamTables>() as Kysely<AuditHeadTables & IamTables>;
  await opts.log.refresh();
  const checkpoint = await opts.log.latestCheckpoint();
  verifyCheckpoint(checkpoint.note, opts.ledgerKey, opts.log.origin);
  let prevHead = opts.start?.head ?? Buffer.alloc(32);
  let prevLast = opts.start?.afterAuditId ?? 0;
  const heads = await db
    .selectFrom('iam_audit_heads')
    .selectAll()
    .where('last_audit_id', '>', prevLast)
    .orderBy('entry_idx', 'asc')
    .execute();
  const report: AuditVerifyReport = {
    ok: true,
    rowsChecked: 0,
    headsChecked: 0,
    unanchoredRows: 0,
    checkpointSize: checkpoint.size,
  };
  const fail = (f: NonNullable<AuditVerifyReport['failure']>) => ({ ...report, ok: false, failure: f });

  for (const h of heads) {
    const entryIdx = Number(h.entry_idx);
    const last = Number(h.last_audit_id);
    const rows = await db
      .selectFrom('iam_audit_log')
      .selectAll()
      .where('id', '>', prevLast)
      .where('id', '<=', last)
      .orderBy('id', 'asc')
      .execute();
    const recorded = await db
      .selectFrom('iam_audit_row_hashes')
      .selectAll()
      .where('audit_id', '>', prevLast)
      .where('audit_id', '<=', last)
      .orderBy('audit_id', 'asc')
      .execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    if (recorded.length > 0) {
      // Row by row: an altered, deleted or inserted row is named exactly.
      const recordedIds = new Set(recorded.map((r) => Number(r.audit_id)));
      for (const rec of recorded) {
        const id = Number(rec.audit_id);
        const row = byId.get(id);
        if (!row) return fail({ auditId: id, entryIdx, reason: 'row deleted' });
        if (!auditEntryHash(row).equals(Buffer.from(rec.entry_hash)))
          return fail({ auditId: id, entryIdx, reason: 'row altered (its hash no longer matches the recorded one)' });
        report.rowsChecked++;
      }
      const inserted = rows.find((r) => !recordedIds.has(Number(r.id)));
      if (inserted)
        return fail({ auditId: Number(inserted.id), entryIdx, reason: 'row inserted after its head was logged' });
      const chained = chainAuditHead(
        prevHead,
        recorded.map((r) => Buffer.from(r.entry_hash)),
      );
      if (!chained.equals(Buffer.from(h.head)))
        return fail({ auditId: Number(recorded[0]!.audit_id), entryIdx, reason: 'recorded row hashes altered' });
    } else {
      // Heads logged before row hashes were recorded: the segment as a whole.
      const chained = chainAuditHead(
        prevHead,
        rows.map((r) => auditEntryHash(r)),
      );
      report.rowsChecked += rows.length;
      if (!chained.equals(Buffer.from(h.head)))
        return fail({
          auditId: Number(rows[0]?.id ?? prevLast + 1),
          entryIdx,
          reason: 'a row in this segment altered',
        });
    }
    // The head is in the ledger, under the signed checkpoint.
    if (entryIdx >= checkpoint.size) return fail({ entryIdx, reason: 'head not in the ledger checkpoint' });
    const entry = await opts.log.getEntry(entryIdx);
    if (entry.kind !== AUDIT_HEAD_KIND || entry.dataHash !== Buffer.from(h.head).toString('hex'))
      return fail({ entryIdx, reason: 'the ledger entry does not hold this head' });
    const proof = await opts.log.inclusionProof(entryIdx, checkpoint.size);
    try {
      verifyInclusion(entryIdx, checkpoint.size, entryLeafHash(entry), proof.hashes, checkpoint.root);
    } catch {
      return fail({ entryIdx, reason: 'ledger inclusion proof does not verify' });
    }
    report.headsChecked++;
    prevHead = Buffer.from(h.head);
    prevLast = last;
  }
  for (let after = prevLast; ;) {
    const page = await db
      .selectFrom('iam_audit_log')
      .select('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    report.unanchoredRows += page.length;
    if (page.length < PAGE) break;
    after = Number(page[page.length - 1]!.id);
  }
  return report;
}
