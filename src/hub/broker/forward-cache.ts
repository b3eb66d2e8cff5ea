import type { GrantTerms } from '../twins/access.ts';

/**
 * Per-client memo of delivery decisions under `data/`. A client's subject is fixed for its
 * connection, and the policy's verdict on reading one twin resource depends only on that subject,
 * the policy statements and the access rules (grants); so a verdict holds until the rules change
 * (their version) or a statement is added. This spares evaluating the policy for every message
 * and subscriber.
 */
/** A delivery verdict: refused, delivered as is, or delivered under a grant's terms. */
export type ForwardVerdict = boolean | GrantTerms;

export class ForwardCache {
  private verdicts = new Map<string, ForwardVerdict>();
  private version = -1;
  private statements = -1;

  constructor(private readonly maxTopics = 4096) {}

  /** The verdict kept for `topic` if the rules are still `version` with `statements` statements. */
  get(topic: string, version: number, statements: number): ForwardVerdict | undefined {
    if (version !== this.version || statements !== this.statements) {
      this.verdicts = new Map();
      this.version = version;
      this.statements = statements;
      return undefined;
    }
    return this.verdicts.get(topic);
  }

  /** Keeps a verdict decided under the rules last passed to `get`. */
  set(topic: string, allowed: ForwardVerdict): void {
    // Bounded: a subscriber of a huge tree re-decides rather than growing without limit.
    if (this.verdicts.size >= this.maxTopics) this.verdicts.clear();
    this.verdicts.set(topic, allowed);
  }
}
