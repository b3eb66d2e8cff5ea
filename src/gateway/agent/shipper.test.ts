import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from './shipper.ts';

describe('classify (receiver answers, CONTRACTS.md section 1)', () => {
  it('acknowledges a 200 only when its counts add up to the batch', () => {
    expect(
      classify(
        200,
        undefined,
        '{"accepted":2,"duplicates":1,"rejected":[{"index":0,"code":"MONITOR_EVENT_INVALID"}]}',
        4,
      ),
    ).toMatchObject({ kind: 'ok', accepted: 2, duplicates: 1 });
    expect(classify(200, undefined, '{"accepted":2,"duplicates":1,"rejected":[]}', 4)).toMatchObject({
      kind: 'retry',
      code: 'GATEWAY_SHIP_BAD_ANSWER',
    });
    expect(classify(200, undefined, 'not json', 1)).toMatchObject({ kind: 'retry' });
  });

  it('maps statuses to split, slow retry and retry-after', () => {
    expect(classify(413, undefined, '{"error":{"code":"MONITOR_BATCH_TOO_LARGE","message":"x"}}', 10)).toEqual({
      kind: 'split',
      status: 413,
      code: 'MONITOR_BATCH_TOO_LARGE',
    });
    expect(classify(400, undefined, '', 10)).toMatchObject({ kind: 'split', code: 'HTTP_400' });
    expect(classify(401, undefined, '{"error":{"code":"UNAUTHENTICATED","message":"no"}}', 1)).toMatchObject({
      kind: 'retry',
      slow: true,
      code: 'UNAUTHENTICATED',
    });
    expect(classify(503, '7', '', 1)).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(classify(429, 'soon', '', 1)).not.toHaveProperty('retryAfterMs');
    expect(classify(502, undefined, '', 1)).toMatchObject({ kind: 'retry', status: 502 });
  });

  it('any status, header and body: never throws, and never acknowledges anything but a consistent 200', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.option(fc.string()),
        fc.oneof(fc.string(), fc.json()),
        fc.integer({ min: 1, max: 5000 }),
        (status, ra, body, n) => {
          const out = classify(status, ra ?? undefined, body, n);
          if (out.kind === 'ok') {
            expect(status).toBe(200);
            expect(out.accepted + out.duplicates + out.rejected.length).toBe(n);
          }
          if (out.kind === 'retry' && out.retryAfterMs !== undefined)
            expect(out.retryAfterMs).toBeLessThanOrEqual(3_600_000);
        },
      ),
    );
  });
});
