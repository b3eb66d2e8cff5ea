import type { BusEvent, BusHandler, EventBus, SubscribeOptions, Unsubscribe } from './bus.ts';
import { subjectMatches } from './bus.ts';

interface Sub {
  pattern: string;
  handler: BusHandler;
  queue: string | undefined;
}

/**
 * In-process bus. Handlers run after the publisher's current tick so a slow or failing
 * subscriber never blocks or breaks the publisher; failures go to `onError`.
 * A queue group's members take its events in turn.
 */
export class MemoryBus implements EventBus {
  private readonly subs = new Set<Sub>();
  /** Per queue group, how many events it has been given: picks its members in turn. */
  private readonly turns = new Map<string, number>();
  constructor(private readonly onError: (err: unknown, event: BusEvent) => void = () => {}) {}

  async publish<T>(subject: string, data: T): Promise<void> {
    const event: BusEvent = { subject, at: Date.now(), data };
    let groups: Map<string, Sub[]> | undefined; // only built when a queue group matches
    for (const sub of this.subs) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      if (sub.queue === undefined) {
        this.deliver(sub, event);
        continue;
      }
      groups ??= new Map();
      const members = groups.get(sub.queue);
      if (members) members.push(sub);
      else groups.set(sub.queue, [sub]);
    }
    for (const [queue, members] of groups ?? []) {
      const turn = this.turns.get(queue) ?? 0;
      this.turns.set(queue, turn + 1);
      this.deliver(members[turn % members.length]!, event);
    }
  }

  private deliver(sub: Sub, event: BusEvent): void {
    queueMicrotask(() => {
      try {
        const r = sub.handler(event);
        if (r && typeof (r as Promise<void>).catch === 'function')
          (r as Promise<void>).catch((e) => this.onError(e, event));
      } catch (err) {
        this.onError(err, event);
      }
    });
  }

  subscribe(pattern: string, handler: BusHandler, options: SubscribeOptions = {}): Unsubscribe {
    const sub: Sub = { pattern, handler, queue: options.queue };
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }

  async close(): Promise<void> {
    this.subs.clear();
  }
}
