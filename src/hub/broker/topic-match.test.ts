import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topicMatches } from './topic-match.ts';

describe('MQTT topic filters', () => {
  it('matches MQTT filters', () => {
    expect(topicMatches('data/#', 'data/a/b/c/d')).toBe(true);
    expect(topicMatches('data/+/b/#', 'data/a/b/c/d')).toBe(true);
    expect(topicMatches('data/+/x/#', 'data/a/b/c/d')).toBe(false);
    expect(topicMatches('data/a', 'data/a/b')).toBe(false);
    const level = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), (levels) => {
        const topic = levels.join('/');
        expect(topicMatches(topic, topic)).toBe(true);
        expect(topicMatches('#', topic)).toBe(true);
        expect(topicMatches(levels.map(() => '+').join('/'), topic)).toBe(true);
      }),
    );
  });
});
