/**
 * Real Suricata 7, offline, with the config `msec gateway ids-config` writes: every rule family
 * fires on a capture of its attack (with its MITRE technique in alert.metadata) and stays silent
 * on a benign capture of the same protocol. All crafted captures go through one Suricata run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityId } from '../src/gateway/demo/community-id.ts';
import { generateIdsConfig } from '../src/gateway/ids/generate.ts';
import { IOT_RULES, MSEC_SID_RANGE, RULE_FAMILIES, ruleBySid } from '../src/gateway/ids/rules/index.ts';
import { buildMergedCapture, captureOf, CRAFTED_CAPTURES } from './helpers/ids-captures.ts';
import { cleanupSuricataRuns, runOffline, scratchDir, type EveRecord } from './helpers/suricata.ts';

const isOurs = (r: EveRecord) =>
  r.event_type === 'alert' &&
  r.alert.signature_id >= MSEC_SID_RANGE.first &&
  r.alert.signature_id <= MSEC_SID_RANGE.last;

describe('IoT ruleset on crafted captures (real Suricata)', () => {
  const alertsBy = new Map<string, EveRecord[]>();
  let records: EveRecord[] = [];

  beforeAll(async () => {
    const dir = scratchDir('msec-ids-crafted-');
    const cfg = await generateIdsConfig({ outDir: join(dir, 'cfg'), sensorName: 'gw-test-1' });
    const pcap = join(dir, 'crafted.pcap');
    writeFileSync(pcap, buildMergedCapture());
    const run = await runOffline(cfg.configPath, pcap);
    expect(run.code, run.output).toBe(0);
    records = run.records;
    for (const r of records.filter(isOurs)) {
      const name = captureOf(r)?.name ?? '(none)';
      alertsBy.set(name, [...(alertsBy.get(name) ?? []), r]);
    }
  }, 240_000);
  afterAll(cleanupSuricataRuns);

  it('parses the app-layer protocols the rules need and names the sensor', () => {
    const types = new Set(records.map((r) => r.event_type));
    for (const t of ['alert', 'flow', 'mqtt', 'modbus', 'dnp3', 'http', 'ssh', 'anomaly'])
      expect(types, t).toContain(t);
    expect(records.every((r) => r.host === 'gw-test-1')).toBe(true);
    expect(records.filter((r) => r.event_type === 'flow').every((r) => /^1:/.test(r.community_id))).toBe(true);
  });

  it('computes community_id for demo records exactly as Suricata does', () => {
    const flows = records.filter((r) => r.event_type === 'flow' && (r.proto === 'TCP' || r.proto === 'UDP'));
    expect(flows.length).toBeGreaterThan(100);
    for (const f of flows)
      expect(communityId(f.src_ip, f.dest_ip, f.proto, f.src_port, f.dest_port), JSON.stringify(f)).toBe(
        f.community_id,
      );
  });

  it('attributes every alert to a capture', () => {
    expect(alertsBy.get('(none)') ?? []).toEqual([]);
  });

  it('has an attack and a benign capture for every family', () => {
    for (const f of RULE_FAMILIES) {
      expect(
        CRAFTED_CAPTURES.some((c) => c.family === f && c.kind === 'attack'),
        f,
      ).toBe(true);
      expect(
        CRAFTED_CAPTURES.some((c) => c.family === f && c.kind === 'benign'),
        f,
      ).toBe(true);
    }
  });

  it('fires every rule of the ruleset on some attack capture', () => {
    const fired = new Set([...alertsBy.values()].flat().map((r) => r.alert.signature_id));
    // 1711025 (CONNACK without CONNECT) fires on the crafted "mqtt-malformed" as well as on the shared capture.
    expect(IOT_RULES.filter((r) => !fired.has(r.sid)).map((r) => r.sid)).toEqual([]);
  });

  for (const c of CRAFTED_CAPTURES) {
    it(`${c.kind} ${c.family}/${c.name}: ${c.why}`, () => {
      const alerts = alertsBy.get(c.name) ?? [];
      const sids = [...new Set(alerts.map((a) => a.alert.signature_id as number))].sort();
      if (c.kind === 'benign') {
        expect(sids).toEqual([]);
        return;
      }
      expect(sids).toEqual([...(c.expectSids ?? [])].sort());
      for (const a of alerts) {
        const rule = ruleBySid(a.alert.signature_id)!;
        expect(rule.family).toBe(c.family);
        expect([...a.alert.metadata.mitre_technique_id].sort()).toEqual([...rule.mitre].sort());
        expect(a.alert.metadata.msec_rule).toEqual([rule.name]);
        expect(a.alert.signature).toBe(rule.msg);
      }
    });
  }
});

describe('IPS mode on crafted captures (suricata --simulate-ips)', () => {
  let alerts: EveRecord[] = [];
  beforeAll(async () => {
    const dir = scratchDir('msec-ips-crafted-');
    const cfg = await generateIdsConfig({ outDir: join(dir, 'cfg'), mode: 'ips' });
    const pcap = join(dir, 'crafted.pcap');
    writeFileSync(pcap, buildMergedCapture());
    // --simulate-ips applies drop verdicts offline as an inline engine would.
    const run = await runOffline(cfg.configPath, pcap, ['--simulate-ips']);
    expect(run.code, run.output).toBe(0);
    alerts = run.records.filter(isOurs);
  }, 240_000);
  afterAll(cleanupSuricataRuns);

  it('blocks with the blocking subset and only alerts with the rest', () => {
    expect(alerts.length).toBeGreaterThan(10);
    for (const a of alerts)
      expect(a.alert.action, String(a.alert.signature_id)).toBe(
        ruleBySid(a.alert.signature_id)!.blocking ? 'blocked' : 'allowed',
      );
  });

  it('drops a Mirai session at the ECCHI probe: no answer, no loader download reaches the device', () => {
    const mirai = alerts.filter((a) => captureOf(a)?.name === 'mirai-infection').map((a) => a.alert.signature_id);
    expect([...new Set(mirai)]).toEqual([1_711_010]);
  });

  it('still raises nothing on the benign captures', () => {
    const benign = new Set(CRAFTED_CAPTURES.filter((c) => c.kind === 'benign').map((c) => c.name));
    expect(alerts.filter((a) => benign.has(captureOf(a)?.name ?? ''))).toEqual([]);
  });
});
