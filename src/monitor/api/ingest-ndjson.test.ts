import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NdjsonBatch, parseNdjsonBatch, parseRecord, recheckFastRecord, type NdjsonItem } from './ingest-ndjson.ts';

const AGENT = '{"agent":{"name":"gw"}}';

describe('parseRecord (one NDJSON record line)', () => {
  it("cuts the agent's own layout apart without parsing the event", () => {
    const line = '{"id":"gw:1:2:0","type":"eve","file":"/l/eve.json","event":{ "a" : [1,2] }}';
    expect(parseRecord(line)).toEqual({ ok: true, id: 'gw:1:2:0', type: 'eve', line: '{ "a" : [1,2] }', record: line });
    const noFile = '{"id":"s:sock:1:0","type":"json","event":{"b":"x\\"}"}}';
    expect(parseRecord(noFile)).toMatchObject({ ok: true, line: '{"b":"x\\"}"}' });
  });

  it('parses other layouts, the old line form, and refuses what is unusable with the id it can recover', () => {
    expect(parseRecord('{"line":"{\\"a\\":1}","type":"eve","id":"x:1","file":"f"}')).toEqual({
      ok: true,
      id: 'x:1',
      type: 'eve',
      line: '{"a":1}',
    });
    expect(parseRecord('{"id":"x:2","type":"eve","event":{"a":1},"file":"f"}')).toMatchObject({
      ok: true,
      line: '{"a":1},"file":"f"', // the fast path's guess; the pipeline refuses it and the route rechecks
    });
    expect(parseRecord('{ "id":"x:3", "type":"eve", "event":{"a":1} }')).toEqual({
      ok: true,
      id: 'x:3',
      type: 'eve',
      line: '{"a":1}',
    });
    expect(parseRecord('{"id":"x:4","type":"eve","event":{"a":')).toEqual({
      ok: false,
      id: 'x:4',
      message: 'record is not valid JSON',
    });
    expect(parseRecord('[1]')).toMatchObject({ ok: false, id: '', message: 'record is not a JSON object' });
    expect(parseRecord('{"type":"eve","event":{}}')).toMatchObject({ ok: false, id: '', message: 'record has no id' });
    expect(parseRecord('{"id":"x:5","type":"eve"}')).toMatchObject({ ok: false, id: 'x:5' });
    const both = parseRecord('{"id":"x:6","type":"eve","event":{},"line":"{}"}') as NdjsonItem;
    expect(recheckFastRecord(both)).toMatchObject({ ok: false, id: 'x:6', message: 'record has both event and line' });
    expect(parseRecord('{"id":"x:7","type":"eve","file":7,"line":"{}"}')).toMatchObject({ ok: false, id: 'x:7' });
    // A file name that is not a valid JSON string leaves the fast path; the full parse refuses it.
    expect(parseRecord('{"id":"x:8","type":"eve","file":"a\\qb","event":{}}')).toMatchObject({ ok: false });
  });

  it('rechecks a fast-path record whose event text is not JSON: another layout is parsed, a broken record refused', () => {
    const other = parseRecord('{"id":"x:2","type":"eve","event":{"a":1},"file":"f"}') as NdjsonItem;
    expect(recheckFastRecord(other)).toEqual({ ok: true, id: 'x:2', type: 'eve', line: '{"a":1}' });
    const broken = parseRecord('{"id":"x:3","type":"eve","event":{"a":1,}}') as NdjsonItem;
    expect(recheckFastRecord(broken)).toMatchObject({ ok: false, id: 'x:3', message: 'record is not valid JSON' });
    // The event text is JSON (not an object): the pipeline's refusal stands.
    expect(recheckFastRecord(parseRecord('{"id":"x:4","type":"eve","event":[1]}') as NdjsonItem)).toBeUndefined();
  });

  it('for any line: never throws, and what it hands on is what a full JSON parse of the record means (fuzz)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const fastish = fc
      .tuple(
        fc.oneof(fc.stringMatching(/^[a-z0-9:]{1,12}$/), fc.string({ maxLength: 8 })),
        fc.constantFrom('eve', 'json', 'auth'),
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        fc.oneof(
          json.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 20 }),
        ),
        fc.constantFrom('', ',"file":"f"', ',"x":1', ' '),
      )
      .map(
        ([id, type, file, event, after]) =>
          `{"id":"${id}","type":"${type}"${file === undefined ? '' : `,"file":${JSON.stringify(file)}`},"event":${event}${after}}`,
      );
    const anyRecord = fc.record(
      {
        id: fc.string({ maxLength: 8 }),
        type: fc.string({ maxLength: 5 }),
        event: json,
        line: fc.string(),
        file: json,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fastish,
          anyRecord.map((r) => JSON.stringify(r)),
          fc.string({ maxLength: 60 }),
        ),
        (line) => {
          const out = parseRecord(line);
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(line) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          if (!out.ok) return;
          // Resolve the fast path as the route does when its event text is not JSON.
          let item: NdjsonItem = out;
          let eventIsJson = true;
          try {
            JSON.parse(out.line);
          } catch {
            eventIsJson = false;
          }
          if (out.record !== undefined && !eventIsJson) {
            const again = recheckFastRecord(out);
            if (again === undefined) throw new Error('a fast-path event that is not JSON is always rechecked');
            if (!again.ok) return;
            item = again;
          }
          expect(parsed).toBeDefined();
          expect(item.id).toBe(parsed!.id);
          expect(item.type).toBe(parsed!.type);
          if (Object.hasOwn(parsed!, 'event')) expect(JSON.parse(item.line)).toEqual(parsed!.event);
          else expect(item.line).toBe(parsed!.line);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseNdjsonBatch', () => {
  it('takes the agent from the first line, skips blank lines, and numbers records by their line', () => {
    const b = parseNdjsonBatch(`\n${AGENT}\r\n{"id":"a","type":"eve","event":{}}\n  \nnope\n`);
    expect(b).toBeInstanceOf(NdjsonBatch);
    expect(b.agent).toEqual({ name: 'gw' });
    expect(b.records.map((r) => [r.ok, r.lineNo])).toEqual([
      [true, 3],
      [false, 5],
    ]);
  });

  it('refuses a body without an agent line (400)', () => {
    for (const text of ['', '\n\n', 'nope\n', '{"id":"a","type":"eve","event":{}}\n', '{"agent":"gw"}'])
      expect(() => parseNdjsonBatch(text)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('for any text: throws only its 400, else one record per non-blank line after the agent (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.json({ maxDepth: 2 })), { maxLength: 12 }),
        (lines) => {
          const text = [AGENT, ...lines].join('\n');
          const b = parseNdjsonBatch(text);
          const expected = text
            .split('\n')
            .slice(1)
            .filter((l) => !/^[ \t\r]*$/.test(l)).length;
          expect(b.records).toHaveLength(expected);
        },
      ),
    );
  });
});
