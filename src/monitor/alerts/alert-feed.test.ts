import { describe, expect, it } from 'vitest';
import { AlertFeed, type FeedOrgChange } from './alert-feed.ts';

describe('alert feed', () => {
  it('coalesces changes per organisation into one flush, in change order', () => {
    const feed = new AlertFeed(60_000);
    const got: FeedOrgChange[][] = [];
    feed.on((c) => got.push(c));
    feed.alertsChanged('santander', ['a', 'b']);
    feed.eventsStored('santander', 3);
    feed.alertsChanged('santander', ['a']);
    feed.eventsStored('fujisawa', 2);
    feed.flush();
    expect(got).toEqual([
      [
        { org: 'santander', alertIds: ['b', 'a'], truncated: false, events: 3 },
        { org: 'fujisawa', alertIds: [], truncated: false, events: 2 },
      ],
    ]);
    feed.flush();
    expect(got).toHaveLength(1); // nothing pending, nothing sent
    feed.stop();
  });

  it('caps the ids of a flush and says so', () => {
    const feed = new AlertFeed(60_000);
    let last: FeedOrgChange[] = [];
    feed.on((c) => (last = c));
    feed.alertsChanged(
      'santander',
      Array.from({ length: 250 }, (_, i) => `id${i}`),
    );
    feed.flush();
    expect(last[0]!.alertIds).toHaveLength(200);
    expect(last[0]!.truncated).toBe(true);
    feed.stop();
  });

  it('keeps nothing while nobody listens', () => {
    const feed = new AlertFeed(60_000);
    feed.alertsChanged('santander', ['a']);
    let got: FeedOrgChange[] | undefined;
    feed.on((c) => (got = c));
    feed.flush();
    expect(got).toBeUndefined();
    feed.stop();
  });
});
