/** A platform event: what happened, where, and a JSON-safe body. */
export interface BusEvent<T = unknown> {
  subject: string;
  at: number;
  data: T;
}

export type BusHandler = (event: BusEvent) => void | Promise<void>;
export type Unsubscribe = () => void;

export interface SubscribeOptions {
  /**
   * Queue group: of all subscribers (in every process) sharing this name, only one receives each
   * event. For work that must happen once per event however many processes run it, such as
   * logging a reading in the ledger. Without it, every subscriber receives every event.
   */
  queue?: string;
}

/**
 * Event bus port. Subjects are dot-separated tokens as in NATS: `*` matches one token,
 * `>` (last token only) matches the rest. Embedded default in-process; NATS JetStream scales out.
 */
export interface EventBus {
  publish<T>(subject: string, data: T): Promise<void>;
  subscribe(pattern: string, handler: BusHandler, options?: SubscribeOptions): Unsubscribe;
  close(): Promise<void>;
}

export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
