import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKnock, KNOCK_SIZE, newKnock, parseKnock } from './knock-packet.ts';
import { judgeKnock, type KnockPolicy } from './knock-verify.ts';
import { ReplayCache } from './replay-cache.ts';

const key = randomBytes(32);
const policy = (over: Partial<KnockPolicy> = {}): KnockPolicy => ({
  keys: new Map([['op1', key]]),
  allowedPorts: new Set([22]),
  windowMs: 30_000,
  cache: new ReplayCache(),
  ...over,
});
const NOW = 1_764_547_200_000;

describe('knock packets', () => {
  it('round-trips the fixed 80-byte layout', () => {
    const nonce = randomBytes(16);
    const p = encodeKnock({ keyId: 'op1', port: 2222, timestampMs: NOW, nonce }, key);
    expect(p.length).toBe(KNOCK_SIZE);
    expect(p.subarray(0, 6)).toEqual(Buffer.from([0x4d, 0x53, 0x50, 0x41, 1, 0]));
    const r = parseKnock(p);
    expect(r.ok && r.knock).toEqual({ keyId: 'op1', port: 2222, timestampMs: NOW, nonce });
  });

  it('admits a fresh knock once, for its source; a replay, from anywhere, is refused', () => {
    const pol = policy();
    const p = newKnock('op1', 22, key, NOW);
    expect(judgeKnock(p, '::ffff:10.1.2.3', NOW + 5, pol)).toEqual({
      outcome: 'admit',
      keyId: 'op1',
      port: 22,
      src: '10.1.2.3',
      family: 4,
    });
    expect(judgeKnock(p, '10.9.9.9', NOW + 10, pol)).toMatchObject({ outcome: 'reject', reason: 'replay' });
  });

  it('refuses stale, wrongly keyed, unknown-key and not-allowed-port knocks', () => {
    expect(judgeKnock(newKnock('op1', 22, key, NOW - 31_000), '10.0.0.1', NOW, policy())).toMatchObject({
      reason: 'stale',
    });
    expect(judgeKnock(newKnock('op1', 22, key, NOW + 31_000), '10.0.0.1', NOW, policy())).toMatchObject({
      reason: 'stale',
    });
    expect(judgeKnock(newKnock('op1', 22, randomBytes(32), NOW), '10.0.0.1', NOW, policy())).toMatchObject({
      reason: 'bad_mac',
    });
    expect(judgeKnock(newKnock('op2', 22, key, NOW), '10.0.0.1', NOW, policy())).toMatchObject({
      reason: 'unknown_key',
    });
    expect(judgeKnock(newKnock('op1', 23, key, NOW), '10.0.0.1', NOW, policy())).toMatchObject({
      reason: 'port_not_allowed',
    });
  });

  it('fails closed when the replay cache is full of live nonces', () => {
    const pol = policy({ cache: new ReplayCache(2) });
    expect(judgeKnock(newKnock('op1', 22, key, NOW), '10.0.0.1', NOW, pol).outcome).toBe('admit');
    expect(judgeKnock(newKnock('op1', 22, key, NOW), '10.0.0.1', NOW, pol).outcome).toBe('admit');
    expect(judgeKnock(newKnock('op1', 22, key, NOW), '10.0.0.1', NOW, pol)).toMatchObject({
      reason: 'replay_cache_full',
    });
    // Once the window has passed, the expired entries make room again.
    expect(judgeKnock(newKnock('op1', 22, key, NOW + 40_000), '10.0.0.1', NOW + 40_000, pol).outcome).toBe('admit');
  });

  it('any datagram of any size or content is judged without a throw, and only a correctly keyed one admits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const v = judgeKnock(Buffer.from(bytes), '10.0.0.1', NOW, policy());
        expect(v.outcome).toBe('reject');
      }),
      { numRuns: 2000 },
    );
  });

  it('flipping any bit of a valid knock makes it refused', () => {
    const p = newKnock('op1', 22, key, NOW);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: KNOCK_SIZE * 8 - 1 }), (bit) => {
        const q = Buffer.from(p);
        q[bit >> 3]! ^= 1 << (bit & 7);
        expect(judgeKnock(q, '10.0.0.1', NOW, policy()).outcome).toBe('reject');
      }),
      { numRuns: KNOCK_SIZE * 8 },
    );
  });
});
