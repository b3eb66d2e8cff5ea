import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSigmaEngine, parseSigmaRules, type SigmaEvent, type SigmaMatch, type SigmaRule } from './index.ts';

const FAILED = `title: Failed login
id: 11111111-1111-4111-8111-111111111111
name: failed
logsource: {product: msec, category: login_failed}
detection:
  sel:
    source.ip|exists: true
  condition: sel
level: low
`;
const SUCCESS = `title: Login
id: 22222222-2222-4222-8222-222222222222
name: success
logsource: {product: msec, category: login}
detection:
  sel:
    source.ip|exists: true
  condition: sel
`;
const corr = (body: string, extra = ''): string => `title: Correlation
id: 33333333-3333-4333-8333-333333333333
${extra}correlation:
${body}
level: high
tags: [attack.t1110]
`;
const eventCount = (n: number, span = '1m') =>
  corr(
    `  type: event_count\n  rules: [failed]\n  group-by: [source.ip]\n  timespan: ${span}\n  condition: {gte: ${n}}`,
  );

const login = (i: number, t: number, ip = '10.0.0.1', category = 'login_failed', user = 'alice'): SigmaEvent => ({
  id: `e${i}`,
  timeMs: t,
  logsource: { product: 'msec', service: 'iam', category },
  fields: { source: { ip }, user: { name: user } },
});

const parsed = new Map<string, SigmaRule[]>();
function engineFor(...docs: string[]) {
  const e = createSigmaEngine({ maxGroupsPerCorrelation: 3 });
  const rules = docs.flatMap((d, i) => {
    const key = `${i}\u0000${d}`;
    if (!parsed.has(key)) parsed.set(key, parseSigmaRules(d, `t${i}.yml`));
    return parsed.get(key) as SigmaRule[];
  });
  e.load(rules);
  return e;
}
const corrMatches = (ms: readonly SigmaMatch[]) => ms.filter((m) => m.kind === 'correlation');

describe('detection matches', () => {
  it('emit a detection match unless a correlation uses the rule without generate', () => {
    const alone = engineFor(FAILED);
    expect(alone.evaluate(login(1, 0))).toEqual([
      {
        rule: { id: '11111111-1111-4111-8111-111111111111', title: 'Failed login', level: 'low', tags: [] },
        kind: 'detection',
        eventIds: ['e1'],
      },
    ]);
    const used = engineFor(FAILED, eventCount(5));
    expect(used.evaluate(login(1, 0))).toEqual([]);
    const generated = engineFor(FAILED, eventCount(5).replace('level: high', 'level: high\ngenerate: true'));
    expect(generated.evaluate(login(1, 0)).map((m) => m.kind)).toEqual(['detection']);
  });

  it('only rules whose logsource fits see an event', () => {
    const e = engineFor(FAILED);
    expect(e.evaluate({ ...login(1, 0), logsource: { product: 'suricata', service: 'flow' } })).toEqual([]);
    expect(e.evaluate({ ...login(1, 0), logsource: { product: 'MSEC', category: 'LOGIN_FAILED' } })).toHaveLength(1);
  });

  it('keeps matching right when a flood of odd logsources overflows the logsource cache', () => {
    const e = engineFor(FAILED);
    for (let i = 0; i < 5000; i++)
      expect(e.evaluate({ ...login(i, 0), logsource: { product: `p${i}`, category: 'login_failed' } })).toEqual([]);
    expect(
      e.evaluate({ ...login(1, 0), logsource: { product: 'msec', service: 'x', category: 'login_failed' } }),
    ).toHaveLength(1);
    expect(e.evaluate({ ...login(1, 0), logsource: { product: 'msec', service: 'x', category: 'login' } })).toEqual([]);
  });
});

describe('event_count', () => {
  it('fires once the count reaches the threshold inside the window, then stays quiet for a timespan', () => {
    const e = engineFor(FAILED, eventCount(3));
    const out = [0, 10_000, 20_000, 30_000, 40_000].map((t, i) => corrMatches(e.evaluate(login(i, t))));
    expect(out.map((m) => m.length)).toEqual([0, 0, 1, 0, 0]);
    expect(out[2]?.[0]).toMatchObject({
      kind: 'correlation',
      count: 3,
      group: { 'source.ip': '10.0.0.1' },
      eventIds: ['e0', 'e1', 'e2'],
      rule: { level: 'high', tags: ['attack.t1110'] },
    });
    // Well after the quiet timespan, three new events fire again.
    expect([150_000, 151_000, 152_000].map((t, i) => corrMatches(e.evaluate(login(10 + i, t))).length)).toEqual([
      0, 0, 1,
    ]);
  });

  it('slides: events older than the timespan no longer count', () => {
    const e = engineFor(FAILED, eventCount(3));
    // Four events in all, but at 62s the window (2s, 62s] holds only two of them.
    expect([0, 1000, 61_500, 62_000].map((t, i) => corrMatches(e.evaluate(login(i, t))).length)).toEqual([0, 0, 0, 0]);
    expect(corrMatches(e.evaluate(login(9, 63_000))).length).toBe(1);
  });

  it('counts per group', () => {
    const e = engineFor(FAILED, eventCount(2));
    expect(corrMatches(e.evaluate(login(1, 0, 'a'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(2, 1, 'b'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(3, 2, 'a')))[0]?.group).toEqual({ 'source.ip': 'a' });
  });

  it('agrees with a brute-force sliding-window count on random streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        (gaps, n) => {
          const e = engineFor(FAILED, eventCount(n, '10s'));
          let t = 0;
          let quietUntil = -Infinity;
          let window: number[] = [];
          gaps.forEach((gap, i) => {
            t += gap;
            window = [...window, t].filter((x) => x > t - 10_000);
            const expected = t >= quietUntil && window.length >= n;
            if (expected) {
              quietUntil = t + 10_000;
              window = [];
            }
            expect(corrMatches(e.evaluate(login(i, t))).length).toBe(expected ? 1 : 0);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('caps the groups per correlation, evicting the least recently seen, and counts it', () => {
    const e = engineFor(FAILED, eventCount(2));
    for (const [i, ip] of ['a', 'b', 'c', 'd', 'e'].entries()) e.evaluate(login(i, i, ip));
    expect(e.stats()).toEqual({ rules: 2, correlations: 1, groups: 3, capped: 2 });
    // 'a' was evicted, so one more event from it does not reach the threshold; 'e' is still there.
    expect(corrMatches(e.evaluate(login(10, 10, 'a'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(11, 11, 'e'))).length).toBe(1);
  });

  it('drops idle groups once their window has passed', () => {
    const e = engineFor(FAILED, eventCount(5));
    e.evaluate(login(1, 0, 'a'));
    e.evaluate(login(2, 0, 'b'));
    expect(e.stats().groups).toBe(2);
    e.evaluate(login(3, 120_000, 'c'));
    expect(e.stats().groups).toBe(1);
  });
});

describe('value_count', () => {
  const vc = corr(
    '  type: value_count\n  rules: [failed]\n  group-by: [source.ip]\n  timespan: 1m\n  condition:\n    field: user.name\n    gte: 3',
  );
  it('counts distinct values of the field in the window', () => {
    const e = engineFor(FAILED, vc);
    const users = ['u1', 'u1', 'u2', 'u2', 'u3'];
    const fired = users.map((u, i) => corrMatches(e.evaluate(login(i, i * 1000, 'x', 'login_failed', u))));
    expect(fired.map((f) => f.length)).toEqual([0, 0, 0, 0, 1]);
    expect(fired[4]?.[0]).toMatchObject({ count: 3, group: { 'source.ip': 'x' } });
    expect(fired[4]?.[0]?.eventIds).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });
  it('forgets values older than the timespan and skips events without the field', () => {
    const e = engineFor(FAILED, vc);
    e.evaluate(login(1, 0, 'x', 'login_failed', 'u1'));
    e.evaluate(login(2, 1000, 'x', 'login_failed', 'u2'));
    e.evaluate({ ...login(3, 2000, 'x'), fields: { source: { ip: 'x' } } });
    expect(corrMatches(e.evaluate(login(4, 70_000, 'x', 'login_failed', 'u3'))).length).toBe(0);
  });
});

describe('temporal and temporal_ordered', () => {
  const temporal = (type: string) =>
    corr(`  type: ${type}\n  rules: [failed, success]\n  group-by: [user.name]\n  timespan: 1m`);
  it('temporal: all rules in the window, any order, per group', () => {
    const e = engineFor(FAILED, SUCCESS, temporal('temporal'));
    expect(corrMatches(e.evaluate(login(1, 0, 'a', 'login', 'bob'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(2, 1000, 'b', 'login_failed', 'alice'))).length).toBe(0);
    const m = corrMatches(e.evaluate(login(3, 2000, 'c', 'login_failed', 'bob')));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ count: 2, group: { 'user.name': 'bob' }, eventIds: ['e1', 'e3'] });
  });
  it('temporal: too far apart does not fire', () => {
    const e = engineFor(FAILED, SUCCESS, temporal('temporal'));
    e.evaluate(login(1, 0, 'a', 'login', 'bob'));
    expect(corrMatches(e.evaluate(login(2, 61_000, 'a', 'login_failed', 'bob'))).length).toBe(0);
  });
  it('temporal_ordered: only in the order of the rules list', () => {
    const e = engineFor(FAILED, SUCCESS, temporal('temporal_ordered'));
    expect(corrMatches(e.evaluate(login(1, 0, 'a', 'login', 'bob'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(2, 1000, 'a', 'login_failed', 'bob'))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(3, 2000, 'a', 'login', 'bob'))).length).toBe(1);
  });
  it('temporal_ordered agrees with a brute-force search for an in-order pair', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40_000 }), ok: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        (steps) => {
          const e = engineFor(FAILED, SUCCESS, temporal('temporal_ordered'));
          let t = 0;
          // Definition: at an event at t (not within a timespan after the last match), fire if the
          // events since the last match hold a failure followed by a success, both inside (t - 60s, t].
          let since: { t: number; ok: boolean }[] = [];
          let quietUntil = -Infinity;
          steps.forEach((s, i) => {
            t += s.gap;
            since.push({ t, ok: s.ok });
            const inWindow = since.filter((x) => x.t > t - 60_000);
            const firstFail = inWindow.findIndex((x) => !x.ok);
            const expected = t >= quietUntil && firstFail >= 0 && inWindow.slice(firstFail + 1).some((x) => x.ok);
            if (expected) {
              quietUntil = t + 60_000;
              since = [];
            }
            const got = corrMatches(e.evaluate(login(i, t, 'a', s.ok ? 'login' : 'login_failed', 'bob'))).length;
            expect(got).toBe(expected ? 1 : 0);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('chains, aliases, loading', () => {
  it('a correlation can build on another (spec example: many failures then a success)', () => {
    const inner = `title: Many failures\nid: 44444444-4444-4444-8444-444444444444\nname: many_failed\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [user.name]\n  timespan: 10m\n  condition: {gte: 3}\n`;
    const outer = corr(
      '  type: temporal_ordered\n  rules: [many_failed, success]\n  group-by: [user.name]\n  timespan: 10m',
    );
    const e = engineFor(FAILED, SUCCESS, inner, outer);
    for (let i = 0; i < 3; i++) expect(e.evaluate(login(i, i * 1000, 'x', 'login_failed', 'eve'))).toEqual([]);
    const m = e.evaluate(login(9, 5000, 'x', 'login', 'eve'));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({
      rule: { id: '33333333-3333-4333-8333-333333333333' },
      group: { 'user.name': 'eve' },
      eventIds: ['e0', 'e1', 'e2', 'e9'],
    });
  });

  it('aliases group different fields of different rules together', () => {
    const outer = corr(
      '  type: temporal\n  rules: [failed, success]\n  group-by: [who]\n  timespan: 1m\n  aliases:\n    who:\n      failed: source.ip\n      success: user.name',
    );
    const e = engineFor(FAILED, SUCCESS, outer);
    e.evaluate(login(1, 0, '1.2.3.4', 'login_failed', 'nobody'));
    expect(corrMatches(e.evaluate(login(2, 10, '9.9.9.9', 'login', '1.2.3.4')))[0]?.group).toEqual({ who: '1.2.3.4' });
  });

  it('refuses a correlation that references a missing rule, duplicate ids and cycles, keeping the old set', () => {
    const e = engineFor(FAILED, eventCount(2));
    e.evaluate(login(1, 0));
    const missing = parseSigmaRules(eventCount(2).replace('[failed]', '[nosuch]'), 'm.yml');
    expect(() => e.load(missing)).toThrow(/references rule 'nosuch', which is not loaded/);
    try {
      e.load(missing);
    } catch (err) {
      expect((err as { code: string; details: Record<string, unknown> }).code).toBe('MONITOR_RULE_INVALID');
      expect((err as { details: Record<string, unknown> }).details).toMatchObject({
        file: 'm.yml',
        field: 'correlation.rules.0',
      });
    }
    expect(() => e.load([...parseSigmaRules(FAILED, 'a.yml'), ...parseSigmaRules(FAILED, 'b.yml')])).toThrow(
      /also used by a.yml/,
    );
    const a = `title: A\nid: 55555555-5555-4555-8555-555555555555\nname: ca\ncorrelation:\n  type: event_count\n  rules: [cb]\n  group-by: [x]\n  timespan: 1m\n  condition: {gte: 1}\n`;
    const b = a
      .replace('55555555-5555-4555-8555-555555555555', '66666666-6666-4666-8666-666666666666')
      .replace('name: ca', 'name: cb')
      .replace('[cb]', '[ca]');
    expect(() => e.load([...parseSigmaRules(a, 'a.yml'), ...parseSigmaRules(b, 'b.yml')])).toThrow(/reference cycle/);
    // The old set still runs, with its state: the second event completes the count of two.
    expect(corrMatches(e.evaluate(login(2, 1))).length).toBe(1);
  });

  it('hot reload keeps the state of unchanged correlations and resets changed ones', () => {
    const e = engineFor(FAILED, eventCount(3));
    e.evaluate(login(1, 0));
    e.evaluate(login(2, 1));
    // Same semantics, new title and level: state kept.
    e.load([
      ...parseSigmaRules(FAILED, 'f.yml'),
      ...parseSigmaRules(eventCount(3).replace('title: Correlation', 'title: Renamed'), 'c.yml'),
    ]);
    expect(corrMatches(e.evaluate(login(3, 2)))[0]?.rule.title).toBe('Renamed');
    // Tuned threshold: a new window.
    e.load([...parseSigmaRules(FAILED, 'f.yml'), ...parseSigmaRules(eventCount(2), 'c.yml')]);
    expect(corrMatches(e.evaluate(login(4, 100_000))).length).toBe(0);
    expect(corrMatches(e.evaluate(login(5, 100_001))).length).toBe(1);
    // Disabled (left out of the set): nothing fires, stats follow.
    e.load(parseSigmaRules(FAILED, 'f.yml'));
    expect(e.stats()).toMatchObject({ rules: 1, correlations: 0, groups: 0 });
    expect(e.evaluate(login(6, 200_000)).map((m) => m.kind)).toEqual(['detection']);
  });

  it('never throws on odd events', () => {
    const e = engineFor(FAILED, eventCount(2));
    const odd = [
      { id: 'x', timeMs: Number.NaN, logsource: {}, fields: {} },
      { id: 'y', timeMs: 0, logsource: { product: 'msec', category: 'login_failed' }, fields: null },
    ];
    for (const ev of odd) expect(() => e.evaluate(ev as unknown as SigmaEvent)).not.toThrow();
  });
});
