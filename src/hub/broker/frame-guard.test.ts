import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MqttFrameGuard } from './frame-guard.ts';

/** A QoS 0 PUBLISH to `a/b` with `size` payload bytes, encoded by hand (MQTT 3.1.1 §2.2, §3.3). */
function publish(size: number): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3]), Buffer.from('a/b'), Buffer.alloc(size)]);
  const len: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30, ...len]), body]);
}

function feedInPieces(guard: MqttFrameGuard, bytes: Buffer, cuts: number[]) {
  let last = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    const v = guard.feed(bytes.subarray(last, cut));
    if (!v.ok) return v;
    last = cut;
  }
  return { ok: true as const };
}

describe('MQTT frame guard', () => {
  it('passes packets under the limit however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat({ max: 20000 })),
        (sizes, cuts) => {
          const stream = Buffer.concat(sizes.map(publish));
          expect(feedInPieces(new MqttFrameGuard(4096), stream, cuts).ok).toBe(true);
        },
      ),
    );
  });

  it('flags the first packet over the limit from its header', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5000, max: 300_000 }), fc.array(fc.nat({ max: 400_000 })), (size, cuts) => {
        const stream = Buffer.concat([publish(10), publish(size)]);
        const v = feedInPieces(new MqttFrameGuard(4096), stream, cuts);
        expect(v).toMatchObject({ ok: false, reason: 'too-large' });
      }),
    );
  });

  it('flags a length field longer than four bytes and never throws on noise', () => {
    expect(new MqttFrameGuard(10).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const v = new MqttFrameGuard(1 << 20).feed(bytes);
        expect(typeof v.ok).toBe('boolean');
      }),
    );
  });
});
