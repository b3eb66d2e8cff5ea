import { sql, type Kysely, type Transaction } from 'kysely';
import { MsecError, systemClock, type Clock, type Dialect, type PlatformKey, type Store } from '../core/index.ts';
import {
  checkpointToJson,
  parseCheckpoint,
  signCheckpoint,
  type CheckpointJson,
  type SignedCheckpoint,
} from './checkpoint.ts';
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

interface BuiltBatch {
  next: Frontier;
  entryRows: LedgerTables['ledger_entries'][];
  nodeRows: NewNode[];
  results: AppendResult[][];
  head: SignedCheckpoint;
}

interface PendingAppend {
  entries: { kind: string; dataHash: string }[];
  resolve: (r: AppendResult[]) => void;
  reject: (e: unknown) => void;
}

const INSERT_CHUNK = 400;
export const DEFAULT_ORIGIN = 'msec.local/ledger';

/**
 * The append-only log over the Store port. Appends are queued and committed together (group
 * commit), each batch in one transaction with its nodes and signed tree head, so a crash can never
 * leave a head that disagrees with the entries. Several processes may append to one store: their
 * transactions take turns (see lockWriters) and `refresh()` brings a reader up to date.
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
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || count + (this.queue[0] as PendingAppend).entries.length <= this.maxBatch)
      ) {
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
    const timestamp = this.clock.now();
    let built: BuiltBatch | undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        // Several processes may write one log (scale-out on PostgreSQL): writers take turns, and
        // one that finds the log grown by another rebuilds its batch on the stored edge.
        await lockWriters(trx, this.opts.store.dialect);
        const base = (await storedSize(trx)) === this.frontier.size ? this.frontier : await loadFrontier(trx);
        built = this.build(batch, base, timestamp);
        await insertChunked(trx, 'ledger_entries', built.entryRows);
        await insertChunked(
          trx,
          'ledger_nodes',
          built.nodeRows.map((n) => ({ level: n.level, idx: n.index, hash: n.hash })),
        );
        await trx
          .insertInto('ledger_checkpoints')
          .values({ size: built.head.size, root: built.head.root, note: built.head.note, created_at: timestamp })
          .execute();
      });
    } catch (err) {
      // The in-memory edge is untouched; re-read it in case another writer moved the store.
      this.frontier = await loadFrontier(this.db).catch(() => this.frontier);
      const failure = new MsecError('STORAGE_ERROR', `ledger append failed: ${(err as Error).message}`, { cause: err });
      for (const job of batch) job.reject(failure);
      return;
    }
    const { next, results } = built!;
    this.frontier = next;
    batch.forEach((job, i) => job.resolve(results[i] as AppendResult[]));
  }

  /** The rows, nodes and signed head of `batch` appended after `base`. */
  private build(batch: PendingAppend[], base: Frontier, timestamp: number): BuiltBatch {
    const next = base.clone();
    const entryRows: LedgerTables['ledger_entries'][] = [];
    const nodeRows: NewNode[] = [];
    const results: AppendResult[][] = batch.map((job) =>
      job.entries.map((e) => {
        const leafHash = entryLeafHash({ ...e, timestamp });
        const index = next.size;
        entryRows.push({
          idx: index,
          kind: e.kind,
          data_hash: Buffer.from(e.dataHash, 'hex'),
          leaf_hash: leafHash,
          created_at: timestamp,
        });
        nodeRows.push(...next.append(leafHash));
        return { index, leafHash, timestamp };
      }),
    );
    const head = signCheckpoint({ origin: this.origin, size: next.size, root: next.root() }, this.opts.key.privateKey);
    return { next, entryRows, nodeRows, results, head };
  }

  /**
   * Catches up with entries other processes appended to the same store since this one last
   * wrote; reads (proofs, heads) call it so every process serves the whole log.
   */
  async refresh(): Promise<void> {
    if (this.flushing) return; // our own commit re-reads the edge when it must
    if ((await storedSize(this.db)) !== this.frontier.size) this.frontier = await loadFrontier(this.db);
  }

  async getEntry(index: number): Promise<LedgerEntry> {
    this.checkIndex(index, this.size);
    const row = await this.db.selectFrom('ledger_entries').selectAll().where('idx', '=', index).executeTakeFirst();
    if (!row) throw new MsecError('LEDGER_INDEX_OUT_OF_RANGE', `no entry ${index}`, { status: 404 });
    return {
      index,
      kind: row.kind,
      dataHash: Buffer.from(row.data_hash).toString('hex'),
      timestamp: Number(row.created_at),
    };
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
      throw new MsecError('LEDGER_INDEX_OUT_OF_RANGE', `entry index ${index} is not below tree size ${size}`, {
        status: 404,
      });
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

/** Size of the log as stored: every commit keeps the signed head of its size. */
async function storedSize(db: Kysely<LedgerTables>): Promise<number> {
  const row = await db
    .selectFrom('ledger_checkpoints')
    .select((eb) => eb.fn.max('size').as('size'))
    .executeTakeFirst();
  return row?.size === null || row?.size === undefined ? 0 : Number(row.size);
}

/**
 * Serialises appends of all processes on PostgreSQL (a transaction-scoped advisory lock, freed at
 * commit). SQLite needs none: its single writer lock already serialises the transactions.
 */
async function lockWriters(trx: Transaction<LedgerTables>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${LEDGER_WRITER_LOCK})`.execute(trx);
}

/** Advisory lock key of the ledger writers ("msecLedg" as a 64-bit integer). */
const LEDGER_WRITER_LOCK = 0x6d7365634c656467n;

async function loadFrontier(db: Kysely<LedgerTables>): Promise<Frontier> {
  const row = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.max('idx').as('last'))
    .executeTakeFirst();
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
