import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.ts';
import { ConnectThrottle } from './throttle.ts';

describe('connect throttle', () => {
  it('blocks an address after repeated failures until the block ends, others unaffected', () => {
    const clock = new ManualClock(0);
    const t = new ConnectThrottle(
      { connectionsPerWindow: 100, failedConnectsPerWindow: 3, windowMs: 1000, blockMs: 5000 },
      () => clock.now(),
    );
    expect(t.failure('a')).toBe(false);
    expect(t.failure('a')).toBe(false);
    expect(t.failure('a')).toBe(true);
    expect(t.isBlocked('a')).toBe(true);
    expect(t.connection('a')).toBe(false);
    expect(t.connection('b')).toBe(true);
    clock.advance(5001);
    expect(t.isBlocked('a')).toBe(false);
    expect(t.connection('a')).toBe(true);
  });

  it('refuses connections over the per-window rate and accepts again in the next window', () => {
    const clock = new ManualClock(0);
    const t = new ConnectThrottle(
      { connectionsPerWindow: 2, failedConnectsPerWindow: 10, windowMs: 1000, blockMs: 5000 },
      () => clock.now(),
    );
    expect([t.connection('a'), t.connection('a'), t.connection('a')]).toEqual([true, true, false]);
    clock.advance(1000);
    expect(t.connection('a')).toBe(true);
  });
});
