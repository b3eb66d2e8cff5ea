/**
 * The hub's durable record of accepted readings as a contract in core, because the ledger (which
 * may import only core) consumes it: an outbox read by cursor, so the ledger logs every stored
 * reading exactly once, across restarts and processes, without reading the hub's tables.
 */
import { serviceKey } from './services.ts';

export interface StoredReadingRef {
  /** Monotonic position in the hub's history (the cursor). */
  seq: number;
  /** The original COSE_Sign1 bytes. */
  cose: Uint8Array;
}

export interface AcceptedReadingsOutbox {
  /** How long a stored reading waits before readAfter returns it, ms. */
  readonly settleMs: number;
  /**
   * Local readings (not federated copies) stored after `afterSeq`, oldest first, at most `limit`.
   * Only readings committed a moment ago are returned, so one still committing with a lower seq
   * is never skipped by a cursor that moved past it.
   */
  readAfter(afterSeq: number, limit: number): Promise<StoredReadingRef[]>;
}

export const ACCEPTED_READINGS = serviceKey<AcceptedReadingsOutbox>('hub.accepted-readings');
