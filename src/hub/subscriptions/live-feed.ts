import type { AcceptedReading } from '../contracts.ts';

/** In-process fan-out of accepted readings to live subscribers (server-sent events). */
export class LiveFeed {
  private readonly listeners = new Set<(r: AcceptedReading) => void>();

  on(listener: (r: AcceptedReading) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(r: AcceptedReading): void {
    for (const l of this.listeners) {
      try {
        l(r);
      } catch {
        // one broken subscriber never stops the others
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
