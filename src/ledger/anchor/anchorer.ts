import type { Kysely } from 'kysely';
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

/** Anchors the log's latest signed tree head on the chain periodically and keeps the receipts. */
export class Anchorer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly db: Kysely<LedgerTables>;

  constructor(private readonly opts: AnchorerOptions) {
    this.db = opts.store.db.withTables<LedgerTables>();
  }

  /** Anchors the latest head when it is newer than the last anchored one; returns its receipt. */
  async anchorLatest(): Promise<AnchorReceipt | undefined> {
    await this.opts.log.refresh(); // the head may have grown in another process
    const head = await this.opts.log.latestCheckpoint();
    const last = await latestAnchor(this.opts.store);
    if (head.size === 0 || (last && last.size >= head.size)) return undefined;
    const receipt = await this.opts.client.anchor(this.opts.contract, head);
    await this.db
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
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'anchoring the tree head failed; retrying next period'))
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
export async function latestAnchor(store: Store, coveringIndex?: number): Promise<AnchorReceipt | undefined> {
  const db = store.db.withTables<LedgerTables>();
  let q = db.selectFrom('ledger_anchors').selectAll();
  q = coveringIndex === undefined ? q.orderBy('size', 'desc') : q.where('size', '>', coveringIndex).orderBy('size', 'asc');
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
