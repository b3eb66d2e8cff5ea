import { sql, type Kysely } from 'kysely';
import type { AcceptedReadingsOutbox, Logger, Store } from '../../core/index.ts';
import type { ReadingBatcher } from './batcher.ts';
import type { LedgerModuleTables } from './schema.ts';

/** Advisory lock of the outbox consumers ("msecRdgs" as a 64-bit integer): one process at a time. */
const CONSUMER_LOCK = 0x6d73656352646773n;
const CURSOR = 'hub.accepted-readings';

/**
 * Reads the hub's accepted readings by durable cursor and seals them into batches: the batch rows
 * and the cursor move in one transaction, so every stored reading is batched exactly once,
 * across crashes and across processes (on PostgreSQL the consumers take turns by advisory lock).
 * A batch sealed but not yet logged (a crash in between) is logged by the next round.
 */
export class OutboxConsumer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly db: Kysely<LedgerModuleTables>;

  constructor(
    private readonly opts: {
      outbox: AcceptedReadingsOutbox;
      batcher: ReadingBatcher;
      store: Store;
      logger: Pick<Logger, 'warn'>;
      maxReadings: number;
      intervalMs: number;
    },
  ) {
    this.db = opts.store.db.withTables<LedgerModuleTables>();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.round(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Batches what is stored so far, the last readings included once they have settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await new Promise((r) => setTimeout(r, this.opts.outbox.settleMs));
    await this.round();
  }

  /** One pass: log sealed-but-unlogged batches, then batch everything stored since the cursor. */
  round(): Promise<void> {
    this.running = this.running
      .then(() => this.roundOnce())
      .catch((err: unknown) =>
        this.opts.logger.warn({ err }, 'ledger: batching accepted readings failed; retrying next period'),
      );
    return this.running;
  }

  private async roundOnce(): Promise<void> {
    if (this.opts.store.dialect === 'postgres') {
      await this.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{
          locked: boolean;
        }>`SELECT pg_try_advisory_xact_lock(${CONSUMER_LOCK}) AS locked`.execute(trx);
        if (rows[0]?.locked) await this.drain();
      });
    } else {
      await this.drain();
    }
  }

  private async drain(): Promise<void> {
    await this.opts.batcher.logSealed();
    for (;;) {
      const cursor = await this.cursor();
      const items = await this.opts.outbox.readAfter(cursor, this.opts.maxReadings);
      if (items.length === 0) return;
      await this.opts.batcher.seal(
        items.map((i) => i.cose),
        { name: CURSOR, seq: items[items.length - 1]!.seq },
      );
      await this.opts.batcher.logSealed();
      if (items.length < this.opts.maxReadings) return;
    }
  }

  private async cursor(): Promise<number> {
    const row = await this.db.selectFrom('ledger_cursors').select('seq').where('name', '=', CURSOR).executeTakeFirst();
    return row ? Number(row.seq) : 0;
  }
}
