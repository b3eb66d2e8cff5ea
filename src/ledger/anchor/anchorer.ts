import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock, type Logger, type Store } from '../../core/index.ts';
import type { TransparencyLog } from '../log.ts';
import type { LedgerTables } from '../schema.ts';
import type { AnchorReceipt, EvmAnchorClient } from './client.ts';

export interface AnchorerOptions {
  log: TransparencyLog;
  client: EvmAnchorClient;
  /** Address of the deployed Anchor contract. */
  contract: string;
  store: Store;
  /** How often the latest tree head is anchored (not every append). */
  intervalMs?: number;
  clock?: Clock;
  logger?: Pick<Logger, 'warn'>;
}

/** Advisory lock key of the anchorers ("msecAnch" as a 64-bit integer). */
const ANCHOR_LOCK = 0x6d736563416e6368n;

/** Anchors the log's latest signed tree head on the chain periodically and keeps the receipts. */
export class Anchorer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly db: Kysely<LedgerTables>;

  constructor(private readonly opts: AnchorerOptions) {
    this.db = opts.store.db.withTables<LedgerTables>();
  }

  /**
   * Anchors the latest head when it is newer than the last anchored one; returns its receipt.
   * With several processes on one PostgreSQL, one anchors at a time and the others skip this
   * period (a transaction-scoped advisory lock, held while the transaction is mined): no head is
   * anchored twice and the shared EVM account never sends two transactions with one nonce.
   * SQLite serves one process, and must not hold its write lock for a chain round trip.
   */
  async anchorLatest(): Promise<AnchorReceipt | undefined> {
    if (this.opts.store.dialect !== 'postgres') return this.anchorWith(this.db);
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${ANCHOR_LOCK}) AS locked`.execute(trx);
      return rows[0]?.locked ? this.anchorWith(trx) : undefined;
    });
  }

  private async anchorWith(db: Kysely<LedgerTables>): Promise<AnchorReceipt | undefined> {
    await this.opts.log.refresh(); // the head may have grown in another process
    const head = await this.opts.log.latestCheckpoint();
    const last = await latestAnchorIn(db);
    if (head.size === 0 || (last && last.size >= head.size)) return undefined;
    const receipt = await this.opts.client.anchor(this.opts.contract, head);
    await db
      .insertInto('ledger_anchors')
      .values({
        tx_hash: receipt.txHash,
        size: receipt.size,
        root: receipt.root,
        chain_id: receipt.chainId,
        contract: receipt.contract,
        block_number: receipt.blockNumber,
        created_at: (this.opts.clock ?? systemClock).now(),
      })
      .onConflict((oc) => oc.column('tx_hash').doNothing())
      .execute();
    return receipt;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.anchorLatest()
        .catch((err: unknown) =>
          this.opts.logger?.warn({ err }, 'anchoring the tree head failed; retrying next period'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** The newest stored anchor receipt, optionally the first one whose tree contains `index`. */
export function latestAnchor(store: Store, coveringIndex?: number): Promise<AnchorReceipt | undefined> {
  return latestAnchorIn(store.db.withTables<LedgerTables>(), coveringIndex);
}

async function latestAnchorIn(db: Kysely<LedgerTables>, coveringIndex?: number): Promise<AnchorReceipt | undefined> {
  let q = db.selectFrom('ledger_anchors').selectAll();
  q =
    coveringIndex === undefined
      ? q.orderBy('size', 'desc')
      : q.where('size', '>', coveringIndex).orderBy('size', 'asc');
  const row = await q.limit(1).executeTakeFirst();
  if (!row) return undefined;
  return {
    size: Number(row.size),
    root: Buffer.from(row.root),
    chainId: Number(row.chain_id),
    contract: row.contract,
    txHash: row.tx_hash,
    blockNumber: Number(row.block_number),
  };
}
