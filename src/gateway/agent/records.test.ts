import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines, type LineType } from './lines.ts';
import { RecordEncoder, recordBatch, recordsFrom, type RecordBatch } from './records.ts';

/** The records of a batch, each parsed (each must be one JSON object on its own line). */
const parsed = (b: RecordBatch) => {
  const text = b.data.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(
    lines.map((l) => Buffer.byteLength(l) + 1).reduce((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], [] as number[]),
  ).toEqual(b.ends);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
};

/** Reads `lines` as the file input does (split, shape check) and encodes them. */
function encode(type: LineType, lines: string[], path?: string, base = 0) {
  const chunk = Buffer.from(lines.map((l) => l + '\n').join(''));
  const split = splitLines(chunk, 1000, type, 1 << 20, false);
  expect(split.lines).toHaveLength(lines.length);
  return { split, batch: new RecordEncoder('gw-1:2049:77:', type, path).encode(chunk, split.lines, base) };
}

describe('RecordEncoder', () => {
  it('embeds an eve line raw as `event`, last, and keeps auth lines as escaped `line` strings', () => {
    const eve = encode('eve', ['{"event_type":"dns", "a" : 1}'], '/var/log/eve "x".json', 5);
    expect(eve.batch.data.toString()).toBe(
      '{"id":"gw-1:2049:77:1005","type":"eve","file":"/var/log/eve \\"x\\".json","event":{"event_type":"dns", "a" : 1}}\n',
    );
    const auth = encode('auth', ['Dec  1 sshd[1]: "quoted" \\ tab\there']);
    expect(parsed(auth.batch)).toEqual([
      { id: 'gw-1:2049:77:1000', type: 'auth', line: 'Dec  1 sshd[1]: "quoted" \\ tab\there' },
    ]);
  });

  it('for any JSON object line: the record parses back to its id, type and the event the line holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<LineType>('eve', 'json'),
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (objects, type, path, base) => {
          const lines = objects.map((o) => JSON.stringify(o));
          const { split, batch } = encode(type, lines, path, base);
          const records = parsed(batch);
          records.forEach((r, i) => {
            expect(r).toEqual({
              id: `gw-1:2049:77:${base + split.lines[i]!.offset}`,
              type,
              ...(path === undefined ? {} : { file: path }),
              event: JSON.parse(lines[i]!),
            });
            // `event` is the last member, the line's bytes as they were.
            const text = batch.data.toString('utf8', i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]! - 1);
            expect(text.endsWith(`"event":${lines[i]}}`)).toBe(true);
          });
        },
      ),
    );
  });

  it('for any auth or syslog line: `line` round-trips', () => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
      .filter((s) => !/[\u0000-\u0008\u000a-\u001f]/.test(s) && s.replace(/\u0000/g, '').length > 0);
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 10 }),
        fc.constantFrom<LineType>('auth', 'syslog'),
        (lines, type) => {
          const { batch } = encode(type, lines);
          expect(parsed(batch).map((r) => [r.type, r.line])).toEqual(lines.map((l) => [type, l]));
        },
      ),
    );
  });

  it('writes the records of the example in docs/gateway-agent.md byte for byte', () => {
    const doc = readFileSync(new URL('../../../docs/gateway-agent.md', import.meta.url), 'utf8');
    const block = /<!-- example-spool-records -->\s*```\n([\s\S]*?)```/.exec(doc)![1]!;
    const [eveRecord, authRecord] = block.trimEnd().split('\n');
    const lineOf = (rec: string, member: string) => {
      const v = (JSON.parse(rec) as Record<string, unknown>)[member];
      return typeof v === 'string' ? v : JSON.stringify(v);
    };
    const one = (prefix: string, type: LineType, path: string, line: string) => {
      const chunk = Buffer.from(line + '\n');
      const split = splitLines(chunk, 0, type, 1 << 20, false);
      return new RecordEncoder(prefix, type, path).encode(chunk, split.lines, 0).data.toString();
    };
    expect(one('gw-santander-1:2049:131075:', 'eve', '/var/log/suricata/eve.json', lineOf(eveRecord!, 'event'))).toBe(
      eveRecord + '\n',
    );
    expect(one('gw-santander-1:2049:88:', 'auth', '/var/log/auth.log', lineOf(authRecord!, 'line'))).toBe(
      authRecord + '\n',
    );
  });

  it('recordsFrom and recordBatch keep record boundaries', () => {
    const b = recordBatch(['{"id":"a"}', '{"id":"bé"}', '{"id":"c"}']);
    expect(b.ends).toEqual([11, 24, 35]);
    const rest = recordsFrom(b, 1);
    expect(rest.ends).toEqual([13, 24]);
    expect(parsed(rest).map((r) => r.id)).toEqual(['bé', 'c']);
  });
});
