import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMsecError } from '../../core/errors.ts';
import { parseSigmaRules } from './parse.ts';

const GOOD = `title: Good rule
id: 5638f7c0-ac70-491d-8465-2a65075e0d86
name: good
status: test
description: a rule
references:
  - https://example.org
author: msec
date: 2026-12-01
logsource:
  product: msec
  category: login_failed
detection:
  selection:
    source.ip|cidr: 10.0.0.0/8
  condition: selection
fields:
  - source.ip
falsepositives:
  - none known
level: high
tags:
  - attack.t1110
`;

function problem(
  text: string,
  file = 'r.yml',
): {
  message: string;
  details: {
    file: string;
    line?: number;
    field?: string;
    errors: { line?: number; field?: string; message: string }[];
  };
} {
  try {
    parseSigmaRules(text, file);
  } catch (err) {
    if (!isMsecError(err)) throw err;
    expect(err.code).toBe('MONITOR_RULE_INVALID');
    return err as never;
  }
  throw new Error('expected MONITOR_RULE_INVALID');
}

describe('parseSigmaRules', () => {
  it('returns the rule with its metadata', () => {
    const [rule] = parseSigmaRules(GOOD, 'good.yml');
    expect(rule).toMatchObject({
      kind: 'detection',
      id: '5638f7c0-ac70-491d-8465-2a65075e0d86',
      name: 'good',
      title: 'Good rule',
      status: 'test',
      level: 'high',
      tags: ['attack.t1110'],
      falsepositives: ['none known'],
      fields: ['source.ip'],
      references: ['https://example.org'],
      logsource: { product: 'msec', category: 'login_failed' },
      file: 'good.yml',
      line: 1,
      date: '2026-12-01',
    });
    expect(rule?.raw['author']).toBe('msec');
  });

  it('reads several documents and gives each its starting line', () => {
    const rules = parseSigmaRules(
      `${GOOD}---\n${GOOD.replace('5638f7c0', '5638f7c1').replace('name: good', 'name: good2')}`,
      'm.yml',
    );
    expect(rules.map((r) => r.line)).toEqual([1, GOOD.split('\n').length + 1]);
  });

  it('names the file, the field and the line of a schema violation', () => {
    const p = problem(GOOD.replace('level: high', 'level: severe'));
    expect(p.details).toMatchObject({ file: 'r.yml', field: 'level', line: 21 });
    expect(p.message).toMatch(/^r\.yml:21: level: must be one of: informational, low, medium, high, critical/);
  });

  it('reports every problem of the file, also in later documents', () => {
    const bad = GOOD.replace('id: 5638f7c0-ac70-491d-8465-2a65075e0d86', 'id: not-a-uuid').replace(
      'date: 2026-12-01',
      'date: 01/12/2026',
    );
    const p = problem(`${GOOD}---\n${bad}`);
    const offset = GOOD.split('\n').length;
    expect(p.details.errors.map((e) => [e.field, e.line])).toEqual([
      ['id', offset + 2],
      ['date', offset + 9],
    ]);
  });

  it('explains type problems in Sigma terms', () => {
    const p = problem('title: x\nlogsource: {product: a}\ndetection:\n  selection: foo\n  condition: selection\n');
    expect(p.details.errors).toEqual([
      { line: 4, field: 'detection.selection', message: 'detection.selection: must be a list or a map' },
    ]);
    expect(
      problem('title: x\nlogsource: {product: a}\ndetection:\n  selection: {a: 1}\n  condition: 5\n').message,
    ).toMatch(/detection.condition: must be a string/);
  });

  it('reports a missing required field at the document', () => {
    const p = problem('title: no detection\nlogsource: {product: x}\n');
    expect(p.details.errors).toEqual([{ field: 'detection', line: 1, message: 'detection: is required' }]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problem('title: a\ndetection: [unclosed\n').details.line).toBeGreaterThanOrEqual(2);
    const dup = problem(GOOD.replace('level: high', 'level: high\nlevel: low'));
    expect(dup.details.errors[0]?.message).toMatch(/YAML: .*unique/i);
    expect(dup.details.errors[0]?.line).toBe(22);
  });

  it('reports compile problems (modifier, regex, condition) at the offending field', () => {
    const mod = problem(GOOD.replace('source.ip|cidr: 10.0.0.0/8', 'source.ip|soundex: x'));
    expect(mod.details).toMatchObject({ field: 'detection.selection.source.ip|soundex', line: 15 });
    expect(mod.message).toMatch(/unknown modifier 'soundex'/);
    const re = problem(GOOD.replace('source.ip|cidr: 10.0.0.0/8', "msg|re:\n      - 'ok'\n      - '('"));
    expect(re.details).toMatchObject({ field: 'detection.selection.msg|re.1', line: 17 });
    const cond = problem(GOOD.replace('condition: selection', 'condition: selection and (filter'));
    expect(cond.details).toMatchObject({ field: 'detection.condition', line: 16 });
    expect(cond.message).toMatch(/expected '\)'/);
    const unknown = problem(GOOD.replace('condition: selection', 'condition: selection and not filter'));
    expect(unknown.message).toMatch(/unknown search identifier 'filter'/);
  });

  it('checks correlation sections beyond the schema', () => {
    const corr = (body: string) => `title: c\nid: 0e95725d-7320-415d-80f7-004da920fc11\ncorrelation:\n${body}\n`;
    expect(
      problem(
        corr('  type: event_count\n  rules: [failed]\n  group-by: [x]\n  timespan: 5 minutes\n  condition: {gte: 3}'),
      ).details,
    ).toMatchObject({ field: 'correlation.timespan', line: 7 });
    expect(
      problem(corr('  type: value_count\n  rules: [failed]\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 3}'))
        .message,
    ).toMatch(/value_count needs condition.field/);
    expect(
      problem(
        corr('  type: value_sum\n  rules: [failed]\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 3, field: n}'),
      ).message,
    ).toMatch(/'value_sum' is not supported/);
    expect(
      problem(
        corr(
          '  type: event_count\n  rules: [failed]\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 3, approx: 1}',
        ),
      ).details.field,
    ).toBe('correlation.condition.approx');
    expect(problem(corr('  type: temporal\n  rules: [failed]\n  group-by: [x]\n  timespan: 5m')).message).toMatch(
      /at least two rules/,
    );
    const ok = parseSigmaRules(
      corr(
        '  type: value_count\n  rules: [failed]\n  group-by: [x]\n  timespan: 2h\n  condition: {field: [u, v], gt: 3, lte: 9}',
      ),
      'c.yml',
    );
    expect(ok[0]?.correlation).toEqual({
      type: 'value_count',
      rules: ['failed'],
      groupBy: ['x'],
      timespanMs: 7_200_000,
      condition: { field: ['u', 'v'], gt: 3, lte: 9 },
      aliases: {},
      generate: false,
    });
  });

  it('refuses what it does not implement, saying so', () => {
    expect(
      problem('title: f\nfilter:\n  rules: [x]\n  selection: {a: 1}\n  condition: not selection\n').message,
    ).toMatch(/filters are not supported/);
    expect(problem('action: global\ntitle: g\n').message).toMatch(/v1 rule collections/);
    expect(problem('').message).toMatch(/no rule in the file/);
    expect(problem('- a\n- b\n').message).toMatch(/must be a YAML map/);
  });

  it('never fails other than with MONITOR_RULE_INVALID, and points inside the file', () => {
    const lines = GOOD.split('\n');
    const mutation = fc.record({
      line: fc.nat({ max: lines.length - 1 }),
      text: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('  bad: [', '- x', ': :', 'level: 3', '    a|re: "["', '  condition: 1 of', '\t'),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), (muts) => {
        const copy = [...lines];
        for (const m of muts) copy[m.line] = m.text;
        const text = copy.join('\n');
        try {
          const rules = parseSigmaRules(text, 'fuzz.yml');
          expect(rules.length).toBeGreaterThan(0);
        } catch (err) {
          expect(isMsecError(err) && err.code === 'MONITOR_RULE_INVALID').toBe(true);
          const details = (err as { details: { errors: { line?: number }[] } }).details;
          expect(details.errors.length).toBeGreaterThan(0);
          for (const e of details.errors) {
            if (e.line === undefined) continue;
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.line).toBeLessThanOrEqual(copy.length + 1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
