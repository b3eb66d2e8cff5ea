import type { Kysely, Transaction } from 'kysely';
import { MsecError, systemClock, type Clock, type PlatformKey, type Store } from '../core/index.ts';
import { checkpointToJson, parseCheckpoint, signCheckpoint, type CheckpointJson, type SignedCheckpoint } from './checkpoint.ts';
import { entryLeafHash, normalizeEntry, type EntryInput, type LedgerEntry } from './entry.ts';
import { Frontier, type NewNode } from './frontier.ts';
import { EMPTY_ROOT } from './merkle/hash.ts';
import { completeNodes, consistencyRanges, frontierNodes, inclusionRanges, type Range } from './merkle/ranges.ts';
import { combineNodes, nodesForRanges } from './merkle/tree.ts';
import { nodeKey, readNodes } from './node-reader.ts';
import type { LedgerTables } from './schema.ts';

export interface TransparencyLogOptions {
  store: Store;
  key: PlatformKey;
  /** Checkpoint origin line (the log's name); printable ASCII without spaces. */
  origin?: string;
  clock?: Clock;
  /** Most entries committed in one transaction. */
  maxBatch?: number;
}

export interface AppendResult {
  index: number;
  leafHash: Buffer;
  timestamp: number;
}

export interface InclusionProof {
  index: number;
  treeSize: number;
  hashes: Buffer[];
}

interface PendingAppend {
  entries: { kind: string; dataHash: string }[];
  resolve: (r: AppendResult[]) => void;
  reject: (e: unknown) => void;
}

const INSERT_CHUNK = 400;
export const DEFAULT_ORIGIN = 'msec.local/ledger';

/**
 * The append-only log over the Store port. One writer per store: appends are queued and committed
 * together (group commit), each batch in one transaction with its nodes and signed tree head, so
 * a crash can never leave a head that disagrees with the entries.
 */
export class TransparencyLog {
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private readonly db: Kysely<LedgerTables>;
  readonly origin: string;
  private readonly clock: Clock;
  private readonly maxBatch: number;

  private constructor(
    private readonly opts: TransparencyLogOptions,
    private frontier: Frontier,
  ) {
    this.db = opts.store.db.withTables<LedgerTables>();
    this.origin = opts.origin ?? DEFAULT_ORIGIN;
    this.clock = opts.clock ?? systemClock;
    this.maxBatch = opts.maxBatch ?? 2000;
  }

  static async open(opts: TransparencyLogOptions): Promise<TransparencyLog> {
    const db = opts.store.db.withTables<LedgerTables>();
    return new TransparencyLog(opts, await loadFrontier(db));
  }

  /** Number of committed entries. */
  get size(): number {
    return this.frontier.size;
  }

  async append(entry: EntryInput): Promise<AppendResult> {
    const [r] = await this.appendBatch([entry]);
    return r as AppendResult;
  }

  /** Appends entries in order; resolves once they are durably committed. */
  appendBatch(entries: readonly EntryInput[]): Promise<AppendResult[]> {
    let normalized: { kind: string; dataHash: string }[];
    try {
      normalized = entries.map((e) => normalizeEntry(e));
    } catch (err) {
      return Promise.reject(err);
    }
    if (normalized.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ entries: normalized, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let appends issued in the same tick join the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch: PendingAppend[] = [];
      let count = 0;
      while (this.queue.length > 0 && (batch.length === 0 || count + (this.queue[0] as PendingAppend).entries.length <= this.maxBatch)) {
        const next = this.queue.shift() as PendingAppend;
        batch.push(next);
        count += next.entries.length;
      }
      // commit() rejects its own jobs on storage failure; anything else must not wedge the queue.
      await this.commit(batch).catch((err: unknown) => batch.forEach((job) => job.reject(err)));
    }
    // Cleared in the same synchronous step as the empty-queue check, so no append can slip between.
    this.flushing = undefined;
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    const next = this.frontier.clone();
    const timestamp = this.clock.now();
    const entryRows: LedgerTables['ledger_entries'][] = [];
    const nodeRows: NewNode[] = [];
    const results: AppendResult[][] = batch.map((job) =>
      job.entries.map((e) => {
        const leafHash = entryLeafHash({ ...e, timestamp });
        const index = next.size;
        entryRows.push({ idx: index, kind: e.kind, data_hash: Buffer.from(e.dataHash, 'hex'), leaf_hash: leafHash, created_at: timestamp });
        nodeRows.push(...next.append(leafHash));
        return { index, leafHash, timestamp };
      }),
    );
    const head = signCheckpoint({ origin: this.origin, size: next.size, root: next.root() }, this.opts.key.privateKey);
    try {
      await this.db.transaction().execute(async (trx) => {
        await insertChunked(trx, 'ledger_entries', entryRows);
        await insertChunked(
          trx,
          'ledger_nodes',
          nodeRows.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })),
        );
        await trx
          .insertInto('ledger_checkpoints')
          .values({ size: head.size, root: head.root, note: head.note, created_at: timestamp })
          .execute();
      });
    } catch (err) {
      // The in-memory edge is untouched; re-read it in case another writer moved the store.
      this.frontier = await loadFrontier(this.db).catch(() => this.frontier);
      const failure = new MsecError('STORAGE_ERROR', `ledger append failed: ${(err as Error).message}`, { cause: err });
      for (const job of batch) job.reject(failure);
      return;
    }
    this.frontier = next;
    batch.forEach((job, i) => job.resolve(results[i] as AppendResult[]));
  }

  async getEntry(index: number): Promise<LedgerEntry> {
    this.checkIndex(index, this.size);
    const row = await this.db.selectFrom('ledger_entries').selectAll().where('idx', '=', index).executeTakeFirst();
    if (!row) throw new MsecError('LEDGER_INDEX_OUT_OF_RANGE', `no entry ${index}`, { status: 404 });
    return { index, kind: row.kind, dataHash: Buffer.from(row.data_hash).toString('hex'), timestamp: Number(row.created_at) };
  }

  /** Root hash of the tree of the first `size` entries. */
  async rootAt(size: number): Promise<Buffer> {
    this.checkSize(size);
    if (size === 0) return EMPTY_ROOT;
    if (size === this.size) return this.frontier.root();
    return (await this.hashRanges([{ start: 0, end: size }]))[0] as Buffer;
  }

  async inclusionProof(index: number, treeSize = this.size): Promise<InclusionProof> {
    this.checkSize(treeSize);
    this.checkIndex(index, treeSize);
    return { index, treeSize, hashes: await this.hashRanges(inclusionRanges(index, treeSize)) };
  }

  async consistencyProof(oldSize: number, newSize = this.size): Promise<Buffer[]> {
    this.checkSize(newSize);
    this.checkSize(oldSize, newSize);
    if (oldSize === 0 || oldSize === newSize) return [];
    return this.hashRanges(consistencyRanges(oldSize, newSize));
  }

  async latestCheckpoint(): Promise<SignedCheckpoint> {
    return this.checkpointAt(this.size);
  }

  /** The signed head at `size`: the one kept from its commit, or signed now and kept. */
  async checkpointAt(size: number): Promise<SignedCheckpoint> {
    this.checkSize(size);
    const row = await this.db.selectFrom('ledger_checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
    if (row) return { ...parseCheckpoint(row.note).checkpoint, note: row.note };
    const head = signCheckpoint({ origin: this.origin, size, root: await this.rootAt(size) }, this.opts.key.privateKey);
    await this.db
      .insertInto('ledger_checkpoints')
      .values({ size, root: head.root, note: head.note, created_at: this.clock.now() })
      .onConflict((oc) => oc.column('size').doNothing())
      .execute();
    return head;
  }

  async latestCheckpointJson(): Promise<CheckpointJson> {
    return checkpointToJson(await this.latestCheckpoint());
  }

  /** Waits for queued appends to commit. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async hashRanges(ranges: readonly Range[]): Promise<Buffer[]> {
    const stored = await readNodes(this.db, nodesForRanges(ranges));
    return ranges.map((r) => combineNodes(completeNodes(r).map((n) => stored.get(nodeKey(n)) as Buffer)));
  }

  private checkSize(size: number, max = this.size): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > max) {
      throw new MsecError('LEDGER_SIZE_INVALID', `tree size ${size} is not between 0 and ${max}`);
    }
  }

  private checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new MsecError('LEDGER_INDEX_OUT_OF_RANGE', `entry index ${index} is not below tree size ${size}`, { status: 404 });
    }
  }
}

async function insertChunked<T extends 'ledger_entries' | 'ledger_nodes'>(
  trx: Transaction<LedgerTables>,
  table: T,
  rows: LedgerTables[T][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + INSERT_CHUNK) as never)
      .execute();
  }
}

async function loadFrontier(db: Kysely<LedgerTables>): Promise<Frontier> {
  const row = await db.selectFrom('ledger_entries').select((eb) => eb.fn.max('idx').as('last')).executeTakeFirst();
  const last = row?.last;
  if (last === null || last === undefined) return Frontier.empty();
  const size = Number(last) + 1;
  const ids = frontierNodes(size);
  const stored = await readNodes(db, ids);
  return Frontier.fromNodes(
    size,
    ids.map((n) => stored.get(nodeKey(n)) as Buffer),
  );
}
