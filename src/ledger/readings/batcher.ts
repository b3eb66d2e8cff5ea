import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, newId, type Clock, type Store } from '../../core/index.ts';
import type { TransparencyLog } from '../log.ts';
import { leafHash } from '../merkle/hash.ts';
import { inclusionProof, rootOf } from '../merkle/tree.ts';
import { verifyInclusion } from '../merkle/verify.ts';
import type { LedgerModuleTables } from './schema.ts';

export const READINGS_BATCH_KIND = 'hub.readings-batch';

export interface ReadingBatcherOptions {
  log: TransparencyLog;
  store: Store;
  clock: Clock;
}

/** Where a reading sits: its batch (a Merkle tree of reading hashes) and the batch's log entry. */
export interface ReadingProof {
  readingHash: string;
  batchId: string;
  entryIndex: number;
  position: number;
  batchSize: number;
  /** Inclusion proof of leafHash(readingHash) in the batch tree, base64. */
  batchProof: string[];
  /** The batch root: the data hash of the log entry. */
  batchRoot: string;
}

export function readingHash(cose: Uint8Array): Buffer {
  return createHash('sha256').update(cose).digest();
}

/** Checks a reading's COSE bytes against its batch proof; the entry itself is proved by the log. */
export function verifyReadingInBatch(cose: Uint8Array, p: ReadingProof): void {
  const h = readingHash(cose);
  if (h.toString('hex') !== p.readingHash)
    throw new MsecError('LEDGER_PROOF_INVALID', 'the reading does not hash to the proved hash');
  verifyInclusion(
    p.position,
    p.batchSize,
    leafHash(h),
    p.batchProof.map((b) => Buffer.from(b, 'base64')),
    Buffer.from(p.batchRoot, 'hex'),
  );
}

/**
 * Seals batches of accepted readings: each batch is one log entry whose data hash is the Merkle
 * root (RFC 9162) over the SHA-256 of each reading's COSE bytes. Batch membership is stored
 * before the entry is appended, so every logged batch can prove its readings.
 */
export class ReadingBatcher {
  private readonly db: Kysely<LedgerModuleTables>;

  constructor(private readonly opts: ReadingBatcherOptions) {
    this.db = opts.store.db.withTables<LedgerModuleTables>();
  }

  /**
   * Stores one batch of readings (not yet logged) and, in the same transaction, moves the cursor
   * of the source they came from, so a reading is sealed once however often this is retried.
   */
  async seal(coses: readonly Uint8Array[], cursor?: { name: string; seq: number }): Promise<string | undefined> {
    if (coses.length === 0) return undefined;
    const hashes = coses.map((c) => readingHash(c));
    const root = rootOf(hashes.map((h) => leafHash(h)));
    const batchId = newId('batch');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('ledger_reading_batches')
        .values({
          batch_id: batchId,
          entry_idx: null,
          root,
          hashes: Buffer.concat(hashes),
          count: hashes.length,
          created_at: this.opts.clock.now(),
        })
        .execute();
      for (let i = 0; i < hashes.length; i += 400) {
        const rows = hashes.slice(i, i + 400).map((h, j) => ({ batch_id: batchId, position: i + j, reading_hash: h }));
        await trx.insertInto('ledger_batch_readings').values(rows).execute();
      }
      if (cursor) {
        const moved = await trx
          .updateTable('ledger_cursors')
          .set({ seq: cursor.seq })
          .where('name', '=', cursor.name)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 0)
          await trx.insertInto('ledger_cursors').values({ name: cursor.name, seq: cursor.seq }).execute();
      }
    });
    return batchId;
  }

  /** Appends a log entry for every sealed batch that has none yet, oldest first. */
  async logSealed(): Promise<number> {
    const pending = await this.db
      .selectFrom('ledger_reading_batches')
      .select(['batch_id', 'root'])
      .where('entry_idx', 'is', null)
      .orderBy('created_at')
      .orderBy('batch_id')
      .execute();
    for (const b of pending) {
      const { index } = await this.opts.log.append({ kind: READINGS_BATCH_KIND, dataHash: Buffer.from(b.root) });
      await this.db
        .updateTable('ledger_reading_batches')
        .set({ entry_idx: index })
        .where('batch_id', '=', b.batch_id)
        .execute();
    }
    return pending.length;
  }

  /** The batch proof of one reading (by the SHA-256 of its COSE bytes, hex). */
  async proofFor(readingHashHex: string): Promise<ReadingProof> {
    if (!/^[0-9a-f]{64}$/.test(readingHashHex))
      throw new MsecError('VALIDATION_FAILED', 'reading hash must be 64 lowercase hex characters');
    const rows = await this.db
      .selectFrom('ledger_batch_readings as r')
      .innerJoin('ledger_reading_batches as b', 'b.batch_id', 'r.batch_id')
      .select(['r.batch_id', 'r.position', 'b.entry_idx', 'b.hashes', 'b.count', 'b.root'])
      .where('r.reading_hash', '=', Buffer.from(readingHashHex, 'hex'))
      .where('b.entry_idx', 'is not', null)
      .orderBy('b.entry_idx', 'asc')
      .limit(1)
      .execute();
    const row = rows[0];
    if (!row) throw new MsecError('NOT_FOUND', 'no logged batch holds this reading (yet)');
    const all = Buffer.from(row.hashes);
    const leaves: Buffer[] = [];
    for (let i = 0; i < all.length; i += 32) leaves.push(leafHash(all.subarray(i, i + 32)));
    const position = Number(row.position);
    return {
      readingHash: readingHashHex,
      batchId: row.batch_id,
      entryIndex: Number(row.entry_idx),
      position,
      batchSize: Number(row.count),
      batchProof: inclusionProof(leaves, position).map((h) => h.toString('base64')),
      batchRoot: Buffer.from(row.root).toString('hex'),
    };
  }
}
