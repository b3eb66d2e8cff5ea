import { describe, expect, it } from 'vitest';
import { LiveFeed } from './live-feed.ts';

describe('live feed', () => {
  it('delivers to every listener even when one throws, and stops after unsubscribe', () => {
    const feed = new LiveFeed();
    const got: number[] = [];
    feed.on(() => {
      throw new Error('broken');
    });
    const off = feed.on((r) => got.push(r.counter));
    feed.emit({ counter: 1 } as never);
    off();
    feed.emit({ counter: 2 } as never);
    expect(got).toEqual([1]);
  });
});
