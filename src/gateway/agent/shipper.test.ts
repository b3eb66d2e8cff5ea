import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines } from './lines.ts';
import { RecordEncoder, recordBatch } from './records.ts';
import { classify, jsonEvents } from './shipper.ts';

describe('jsonEvents (the JSON form, for receivers older than NDJSON)', () => {
  it('turns raw `event` records into `line` strings holding the line as read, and keeps old `line` records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        (objects, path) => {
          const lines = objects.map((o) => JSON.stringify(o));
          const chunk = Buffer.from(lines.map((l) => l + '\n').join(''));
          const fresh = new RecordEncoder('gw:1:2:', 'eve', path).encode(
            chunk,
            splitLines(chunk, 0, 'eve', 1 << 20, false).lines,
            0,
          );
          const old = `{"id":"gw:old:1","type":"eve","line":${JSON.stringify('{"a":",\\"event\\":"}')},"file":"f"}`;
          const both = recordBatch([old, ...fresh.data.toString().trimEnd().split('\n')]);
          for (const from of [0, 1]) {
            const events = JSON.parse(`[${jsonEvents(both.data, both.ends, from, both.ends.length).toString()}]`);
            const expected = [
              { id: 'gw:old:1', type: 'eve', line: '{"a":",\\"event\\":"}', file: 'f' },
              ...lines.map((line, i) => ({
                id: `gw:1:2:${offsetOf(lines, i)}`,
                type: 'eve',
                ...(path === undefined ? {} : { file: path }),
                line,
              })),
            ];
            expect(events).toEqual(expected.slice(from));
          }
        },
      ),
    );
  });
});

/** Byte offset of line i when the lines are written one after the other. */
function offsetOf(lines: string[], i: number): number {
  return lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
}

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
