/**
 * Replay protection: a reading is accepted only if its counter is above every counter accepted
 * before for that device, decided by compare-and-set in the shared store.
 *
 * Choice (see bench/ingest.ts): group commit. Counters are first checked against an in-memory
 * high-water mark (cheap refusal of replays), then every reading waiting at the same moment is
 * committed in ONE compare-and-set statement, and a reading is acknowledged only after that
 * statement returns. So the store write is amortised over the whole batch, yet an accepted counter
 * is always durable: a hub restarted after a crash, or a second hub on the same store, refuses the
 * replay. A plain in-memory write-behind would be faster but would forget the last counters of a
 * crash window, re-opening replays after restart.
 */
import { MsecError } from '../../core/index.ts';
import type { DeviceRegistry } from './registry.ts';

interface Waiter {
  resolve(ok: boolean): void;
  reject(err: unknown): void;
}

interface PendingDevice {
  min: number;
  max: number;
  waiters: Waiter[];
}

export class CounterGuard {
  /** Highest counter accepted or being committed, per device. */
  private readonly reserved = new Map<string, number>();
  private pending = new Map<string, PendingDevice>();
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  /** Batches committed (for tests and the benchmark). */
  commits = 0;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly maxTracked = 200_000,
  ) {}

  /**
   * Resolves true once `counter` is durably recorded as the device's last accepted counter, false
   * if it is not above the last accepted one (a replay, here or on another hub).
   */
  accept(deviceId: string, counter: number, storedCounter: number): Promise<boolean> {
    const known = Math.max(this.reserved.get(deviceId) ?? -1, storedCounter);
    if (counter <= known) return Promise.resolve(false);
    if (this.reserved.size >= this.maxTracked && !this.reserved.has(deviceId)) this.reserved.clear();
    this.reserved.set(deviceId, counter);
    return new Promise<boolean>((resolve, reject) => {
      const p = this.pending.get(deviceId);
      if (p) {
        p.max = Math.max(p.max, counter);
        p.min = Math.min(p.min, counter);
        p.waiters.push({ resolve, reject });
      } else {
        this.pending.set(deviceId, { min: counter, max: counter, waiters: [{ resolve, reject }] });
      }
      this.schedule();
    });
  }

  /**
   * Gives back a claimed counter whose reading could not be stored: the device's counter returns
   * to `previous` unless a later reading of it has moved on since (then the retry is refused).
   */
  async release(deviceId: string, counter: number, previous: number): Promise<void> {
    if (this.reserved.get(deviceId) === counter) this.reserved.delete(deviceId);
    await this.drain();
    await this.registry.rewindCounter(deviceId, counter, previous);
  }

  /** Forget what is known of a device (revocation, re-enrollment). */
  forget(deviceId: string): void {
    this.reserved.delete(deviceId);
  }

  /** Waits for every pending commit (shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.size > 0) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate lets every reading that arrived in this turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const batch = this.pending;
    if (batch.size === 0) return Promise.resolve();
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        const moved = await this.registry.advanceCounters(
          [...batch].map(([id, p]) => ({ id, min: p.min, max: p.max })),
        );
        this.commits++;
        for (const [id, p] of batch) {
          const ok = moved.has(id);
          // Another hub got there first: drop our mark so the next reading re-reads the store's.
          if (!ok && this.reserved.get(id) === p.max) this.reserved.delete(id);
          for (const w of p.waiters) w.resolve(ok);
        }
      } catch (err) {
        const e = new MsecError('UNAVAILABLE', 'the reading could not be recorded; retry', { cause: err });
        for (const [id, p] of batch) {
          this.reserved.delete(id);
          for (const w of p.waiters) w.reject(e);
        }
      } finally {
        this.flushing = undefined;
        if (this.pending.size > 0) this.schedule();
      }
    })();
    return this.flushing;
  }
}
