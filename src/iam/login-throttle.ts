import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock, Store } from '../core/index.ts';
import type { IamTables } from './schema.ts';

export interface ThrottlePolicy {
  /** Failures from one source for one name before delays start. */
  freeFailures: number;
  /** The longest delay between two attempts, ms. */
  maxDelayMs: number;
}

/** A name as typed (any case, existing or not): throttled alike, so throttling says nothing about existence. */
function nameKey(name: string): string {
  return createHash('sha256').update(name.normalize('NFKC').toLowerCase()).digest('hex');
}

/**
 * Failed logins throttled per (name, source address) with growing delays, in the store so every
 * process (and `msec admin unlock`) sees them. After `freeFailures`, each further failure doubles
 * the wait before the next attempt from that source for that name (1 s, 2 s, 4 s … up to
 * `maxDelayMs`). A flood from elsewhere never locks the account out for its owner: others'
 * sources are theirs to wait on. A success from the source clears it.
 */
export class LoginThrottle {
  private readonly db: Kysely<IamTables>;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  /** Milliseconds to wait before (name, source) may try again; 0 when it may now. */
  async waitMs(name: string, source: string): Promise<number> {
    const row = await this.db
      .selectFrom('iam_login_throttle')
      .select('next_at')
      .where('name_key', '=', nameKey(name))
      .where('source', '=', source)
      .executeTakeFirst();
    return row ? Math.max(0, Number(row.next_at) - this.clock.now()) : 0;
  }

  async failure(name: string, source: string): Promise<void> {
    const key = nameKey(name);
    const now = this.clock.now();
    const row = await this.db
      .selectFrom('iam_login_throttle')
      .select('failures')
      .where('name_key', '=', key)
      .where('source', '=', source)
      .executeTakeFirst();
    const failures = (row ? Number(row.failures) : 0) + 1;
    const over = failures - this.policy.freeFailures + 1;
    const delay = over <= 0 ? 0 : Math.min(this.policy.maxDelayMs, 1000 * 2 ** Math.min(over - 1, 30));
    await this.db
      .insertInto('iam_login_throttle')
      .values({ name_key: key, source, failures, next_at: now + delay, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['name_key', 'source']).doUpdateSet({ failures, next_at: now + delay, updated_at: now }),
      )
      .execute();
  }

  async success(name: string, source: string): Promise<void> {
    await this.db
      .deleteFrom('iam_login_throttle')
      .where('name_key', '=', nameKey(name))
      .where('source', '=', source)
      .execute();
  }

  /** Clears every source's throttle for a name (`msec admin unlock`, POST /principals/:id/unlock). */
  async clear(name: string): Promise<void> {
    await this.db.deleteFrom('iam_login_throttle').where('name_key', '=', nameKey(name)).execute();
  }

  /** Forgets throttles idle for a day: the table stays small under a spray of random names. */
  async prune(olderThanMs = 86_400_000): Promise<void> {
    await this.db
      .deleteFrom('iam_login_throttle')
      .where('updated_at', '<', this.clock.now() - olderThanMs)
      .execute();
  }
}
