import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { MemoryBus } from './memory.ts';
import { subjectMatches } from './bus.ts';

describe('subjectMatches', () => {
  it('follows NATS wildcard rules', () => {
    expect(subjectMatches('hub.readings.*', 'hub.readings.santander')).toBe(true);
    expect(subjectMatches('hub.readings.*', 'hub.readings.santander.x')).toBe(false);
    expect(subjectMatches('hub.>', 'hub.readings.santander.x')).toBe(true);
    expect(subjectMatches('hub.>', 'hub')).toBe(false);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });

  it('an exact pattern matches only its own subject', () => {
    const token = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 5 }),
        fc.array(token, { minLength: 1, maxLength: 5 }),
        (a, b) => {
          expect(subjectMatches(a.join('.'), b.join('.'))).toBe(a.join('.') === b.join('.'));
        },
      ),
    );
  });
});

describe('MemoryBus', () => {
  it('delivers to matching subscribers and isolates failing handlers', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus((e) => errors.push(e));
    const got: string[] = [];
    bus.subscribe('a.*', () => {
      throw new Error('boom');
    });
    const off = bus.subscribe('a.>', (e) => {
      got.push(e.subject);
    });
    await bus.publish('a.b', 1);
    await bus.publish('x.y', 2);
    await new Promise((r) => setTimeout(r, 5));
    off();
    await bus.publish('a.c', 3);
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual(['a.b']);
    expect(errors).toHaveLength(2);
  });
});
