import type { BusEvent, BusHandler, EventBus, Unsubscribe } from './bus.ts';
import { subjectMatches } from './bus.ts';

/**
 * In-process bus. Handlers run after the publisher's current tick so a slow or failing
 * subscriber never blocks or breaks the publisher; failures go to `onError`.
 */
export class MemoryBus implements EventBus {
  private readonly subs = new Set<{ pattern: string; handler: BusHandler }>();
  constructor(private readonly onError: (err: unknown, event: BusEvent) => void = () => {}) {}

  async publish<T>(subject: string, data: T): Promise<void> {
    const event: BusEvent = { subject, at: Date.now(), data };
    for (const sub of this.subs) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      queueMicrotask(() => {
        try {
          const r = sub.handler(event);
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e) => this.onError(e, event));
        } catch (err) {
          this.onError(err, event);
        }
      });
    }
  }

  subscribe(pattern: string, handler: BusHandler): Unsubscribe {
    const sub = { pattern, handler };
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }

  async close(): Promise<void> {
    this.subs.clear();
  }
}
