import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LiveFeed, topicMatches } from './live-feed.ts';

describe('live feed', () => {
  it('matches MQTT filters', () => {
    expect(topicMatches('data/#', 'data/a/b/c/d')).toBe(true);
    expect(topicMatches('data/+/b/#', 'data/a/b/c/d')).toBe(true);
    expect(topicMatches('data/+/x/#', 'data/a/b/c/d')).toBe(false);
    expect(topicMatches('data/a', 'data/a/b')).toBe(false);
    const level = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    fc.assert(fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), (levels) => {
      const topic = levels.join('/');
      expect(topicMatches(topic, topic)).toBe(true);
      expect(topicMatches('#', topic)).toBe(true);
      expect(topicMatches(levels.map(() => '+').join('/'), topic)).toBe(true);
    }));
  });

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
