/**
 * The shipped rule pack: structure, MITRE tags against the ATT&CK catalogue, and behaviour on real
 * EVE records from ../shared/testdata/eve-samples (with campaigns built from those real records).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createSigmaEngine,
  loadRulePack,
  type SigmaEvent,
  type SigmaMatch,
  type SigmaRule,
} from '../src/monitor/sigma/index.ts';
import { describeWithTestdata } from './helpers/testdata.ts';
import { eveToSigmaEvent, platformEvent } from './helpers/eve-sigma.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const byTitle = (ms: SigmaMatch[]) => ms.map((m) => m.rule.title).sort();

function run(events: SigmaEvent[]): SigmaMatch[] {
  const engine = createSigmaEngine();
  engine.load(loadRulePack());
  return events.flatMap((e) => engine.evaluate(e));
}

describe('rule pack structure', () => {
  it('loads, every rule has a unique UUID v4 id, a level and tags, and every file has a correlation or stands alone', () => {
    const rules = loadRulePack();
    expect(rules.length).toBeGreaterThanOrEqual(16);
    const ids = rules.map((r) => r.id);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of rules) expect(r.tags.length, r.title).toBeGreaterThan(0);
    const engine = createSigmaEngine();
    engine.load(rules);
    expect(engine.stats()).toMatchObject({
      rules: rules.length,
      correlations: rules.filter((r) => r.kind === 'correlation').length,
    });
  });
});

describe('rule pack on arbitrary events', () => {
  it('never throws, and every match names a loaded rule and events it was given', () => {
    const rules = loadRulePack();
    const ids = new Set(rules.map((r) => r.id));
    const logsource = fc.constantFrom(
      { product: 'suricata', service: 'flow' },
      { product: 'suricata', service: 'alert' },
      { product: 'suricata', service: 'mqtt' },
      { product: 'msec', service: 'iam', category: 'login_failed' },
      { product: 'msec', service: 'device', category: 'attestation_failed' },
      {},
    );
    const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 5 }), fc.integer());
    const fields = fc.record({
      source: fc.option(fc.record({ ip, port: fc.integer() }), { nil: undefined }),
      destination: fc.option(
        fc.record({ ip, port: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 3 })) }),
        { nil: undefined },
      ),
      organization: fc.option(fc.record({ id: fc.constantFrom('santander', 'fujisawa', '') }), { nil: undefined }),
      device: fc.option(fc.record({ id: fc.oneof(fc.constantFrom('d1', 'd2'), fc.jsonValue({ maxDepth: 1 })) }), {
        nil: undefined,
      }),
      suricata: fc.option(
        fc.record({
          eve: fc.record({
            tcp: fc.record({ tcp_flags_ts: fc.constantFrom('02', '1b'), syn: fc.boolean() }),
            alert: fc.record({ severity: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 2 })) }),
            mqtt: fc.jsonValue({ maxDepth: 3 }),
          }),
        }),
        { nil: undefined },
      ),
      extra: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.record({ logsource, fields, dt: fc.integer({ min: -5000, max: 60_000 }) }), { maxLength: 60 }),
        (stream) => {
          const engine = createSigmaEngine({ maxGroupsPerCorrelation: 5 });
          engine.load(rules);
          let t = 0;
          const seen = new Set<string>();
          stream.forEach((e, i) => {
            t += e.dt;
            seen.add(`a${i}`);
            for (const m of engine.evaluate({
              id: `a${i}`,
              timeMs: t,
              logsource: e.logsource,
              fields: e.fields as Record<string, unknown>,
            })) {
              expect(ids.has(m.rule.id)).toBe(true);
              expect(m.eventIds.length).toBeGreaterThan(0);
              for (const id of m.eventIds) expect(seen.has(id)).toBe(true);
            }
          });
          expect(engine.stats().groups).toBeLessThanOrEqual(5 * engine.stats().correlations);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describeWithTestdata('mitre', 'rule pack MITRE tags', (dir) => {
  let techniques: Record<string, string>;
  let tactics: Record<string, { name: string }>;
  let rules: SigmaRule[];
  beforeAll(() => {
    techniques = JSON.parse(readFileSync(join(dir, 'attack-techniques.json'), 'utf8')) as Record<string, string>;
    tactics = JSON.parse(readFileSync(join(dir, 'attack-tactics.json'), 'utf8')) as Record<string, { name: string }>;
    rules = loadRulePack();
  });

  it('names only active ATT&CK techniques and real tactics', () => {
    const tacticNames = new Set(Object.values(tactics).map((t) => t.name.toLowerCase().replace(/ /g, '-')));
    const bad: string[] = [];
    let techniqueTags = 0;
    for (const r of rules) {
      for (const tag of r.tags.filter((t) => t.startsWith('attack.'))) {
        const v = tag.slice('attack.'.length);
        if (/^t\d{4}(\.\d{3})?$/.test(v)) {
          techniqueTags++;
          if (!techniques[v.toUpperCase()]) bad.push(`${r.title}: ${tag}`);
        } else if (/^ta\d{4}$/.test(v)) {
          if (!tactics[v.toUpperCase()]) bad.push(`${r.title}: ${tag}`);
        } else if (!tacticNames.has(v)) bad.push(`${r.title}: ${tag}`);
      }
      expect(
        r.tags.some((t) => /^attack\.t\d{4}/.test(t)),
        `${r.title} has a technique`,
      ).toBe(true);
    }
    expect(bad).toEqual([]);
    expect(techniqueTags).toBeGreaterThan(rules.length);
  });
});

describeWithTestdata('eve-samples', 'rule pack on real EVE records', (dir) => {
  let records: { file: string; rec: Record<string, unknown> }[];
  beforeAll(() => {
    const index = JSON.parse(readFileSync(join(dir, 'INDEX.json'), 'utf8')) as { file: string; format?: string }[];
    records = [];
    for (const entry of index) {
      if (!entry.format) continue;
      const text = readFileSync(join(dir, entry.file), 'utf8');
      const objects = entry.format.startsWith('NDJSON')
        ? text
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as Record<string, unknown>)
        : [JSON.parse(text) as Record<string, unknown>];
      for (const rec of objects) records.push({ file: entry.file, rec });
    }
  });
  const template = (
    type: string,
    pred: (r: Record<string, unknown>) => boolean = () => true,
  ): Record<string, unknown> => {
    const found = records.find((r) => r.rec['event_type'] === type && pred(r.rec));
    if (!found) throw new Error(`no ${type} record in the samples`);
    return structuredClone(found.rec);
  };

  it('fires exactly the priority-1 rule on the priority-1 alerts, and nothing else', () => {
    expect(records.length).toBeGreaterThan(150);
    const events = records.map((r, i) =>
      eveToSigmaEvent(r.rec, `s${i}`, { org: 'santander', observer: 'gw-santander-1' }),
    );
    const matches = run(events);
    const p1 = records.flatMap((r, i) =>
      r.rec['event_type'] === 'alert' && (r.rec['alert'] as { severity?: number }).severity === 1 ? [`s${i}`] : [],
    );
    expect(p1.length).toBeGreaterThan(0);
    expect(matches.map((m) => [m.rule.title, m.kind, m.eventIds])).toEqual(
      p1.map((id) => ['IDS alert of priority 1', 'detection', [id]]),
    );
  });

  it('port scan: 25 distinct ports of one host in a minute, from a real flow record', () => {
    const flow = template('flow', (r) => typeof r['dest_port'] === 'number');
    const t0 = Date.parse(String(flow['timestamp']));
    const scan = (ports: number) =>
      Array.from({ length: ports }, (_, i) =>
        eveToSigmaEvent({ ...flow, dest_port: 1000 + i, timestamp: new Date(t0 + i * 1000).toISOString() }, `p${i}`),
      );
    expect(byTitle(run(scan(24)))).toEqual([]);
    const m = run(scan(30));
    expect(byTitle(m)).toEqual(['Port scan of one host']);
    expect(m[0]).toMatchObject({
      kind: 'correlation',
      count: 25,
      group: { 'source.ip': flow['src_ip'], 'destination.ip': flow['dest_ip'] },
    });
  });

  it('host scan: 25 distinct hosts from one source in five minutes', () => {
    const flow = template('flow', (r) => typeof r['dest_port'] === 'number');
    const t0 = Date.parse(String(flow['timestamp']));
    const events = Array.from({ length: 25 }, (_, i) =>
      eveToSigmaEvent(
        { ...flow, dest_ip: `10.9.0.${i + 1}`, timestamp: new Date(t0 + i * 10_000).toISOString() },
        `h${i}`,
      ),
    );
    const m = run(events);
    expect(byTitle(m)).toEqual(['Host scan from one source']);
    expect(m[0]?.group).toEqual({ 'source.ip': flow['src_ip'] });
  });

  it('one public source seen by two cities; private sources are left out', () => {
    const alert = template('alert', (r) => r['src_ip'] === '142.11.240.191');
    const at = (org: string, i: number, src = '142.11.240.191') =>
      eveToSigmaEvent({ ...alert, src_ip: src }, `c${i}`, { org, observer: `gw-${org}-1` });
    expect(byTitle(run([at('santander', 1, '192.168.1.9'), at('fujisawa', 2, '192.168.1.9')]))).toEqual([
      'IDS alert of priority 1',
      'IDS alert of priority 1',
    ]);
    const m = run([at('santander', 1), at('fujisawa', 2)]).filter((x) => x.kind === 'correlation');
    expect(m.map((x) => [x.rule.title, x.group, x.count])).toEqual([
      ["One source touching several cities' gateways", { 'source.ip': '142.11.240.191' }, 2],
    ]);
  });

  it('one public source seen by three gateways of one city', () => {
    const alert = template('alert', (r) => r['src_ip'] === '142.11.240.191');
    const at = (gw: number) => eveToSigmaEvent(alert, `g${gw}`, { org: 'santander', observer: `gw-santander-${gw}` });
    expect(run([at(1), at(2)]).filter((x) => x.kind === 'correlation')).toEqual([]);
    const m = run([at(1), at(2), at(1), at(3)]).filter((x) => x.kind === 'correlation');
    expect(m.map((x) => [x.rule.title, x.count, x.eventIds])).toEqual([
      ['One source touching many gateways', 3, ['g1', 'g2', 'g3']],
    ]);
  });

  it('refused MQTT CONNACKs (real mqtt record, return code 5) from one source: brute force', () => {
    const mqtt = template('mqtt', (r) => (r['mqtt'] as Record<string, unknown>)['connack'] !== undefined);
    const refused = (i: number) => {
      const rec = structuredClone(mqtt);
      ((rec['mqtt'] as Record<string, unknown>)['connack'] as Record<string, unknown>)['return_code'] = 5;
      return eveToSigmaEvent(
        { ...rec, timestamp: new Date(Date.parse(String(mqtt['timestamp'])) + i * 1000).toISOString() },
        `m${i}`,
      );
    };
    expect(run([eveToSigmaEvent(mqtt, 'ok')])).toEqual([]);
    expect(byTitle(run(Array.from({ length: 9 }, (_, i) => refused(i))))).toEqual([]);
    expect(byTitle(run(Array.from({ length: 10 }, (_, i) => refused(i))))).toEqual([
      'Credential brute force from one source',
    ]);
  });
});

describe('rule pack on platform events', () => {
  it('failed logins and refused platform MQTT CONNECTs count together per source', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      platformEvent(`l${i}`, i * 1000, i % 2 ? 'iam' : 'hub', i % 2 ? 'login_failed' : 'mqtt_connect_refused', {
        source: { ip: '203.0.113.9' },
        user: { name: 'admin' },
      }),
    );
    expect(byTitle(run(events.slice(0, 9)))).toEqual([]);
    const m = run([...events, platformEvent('other', 5000, 'iam', 'login_failed', { source: { ip: '203.0.113.10' } })]);
    expect(m.map((x) => [x.rule.title, x.group, x.count, x.eventIds.length])).toEqual([
      ['Credential brute force from one source', { 'source.ip': '203.0.113.9' }, 10, 10],
    ]);
  });

  it('attestation failures and refused readings per device', () => {
    const dev = (n: number, category: string, device: string, stepMs: number) =>
      Array.from({ length: n }, (_, i) =>
        platformEvent(`${category}${device}${i}`, i * stepMs, 'device', category, { device: { id: device } }),
      );
    expect(byTitle(run(dev(2, 'attestation_failed', 'd1', 60_000)))).toEqual([]);
    expect(byTitle(run(dev(3, 'attestation_failed', 'd1', 60_000)))).toEqual([
      'Repeated attestation failures of one device',
    ]);
    // Spread over more than ten minutes: not a campaign.
    expect(byTitle(run(dev(3, 'attestation_failed', 'd1', 301_000)))).toEqual([]);
    expect(byTitle(run([...dev(4, 'reading_refused', 'd1', 1000), ...dev(4, 'reading_refused', 'd2', 1000)]))).toEqual(
      [],
    );
    const m = run(dev(5, 'reading_refused', 'd7', 1000));
    expect(m.map((x) => [x.rule.title, x.group])).toEqual([
      ['Refused readings campaign against one device', { 'device.id': 'd7' }],
    ]);
  });
});
