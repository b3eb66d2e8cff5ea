/**
 * The shared suricata-verify captures, run through real Suricata with msec's generated config
 * plus each test's own rules: the upstream oracle (test.yaml) must still hold, the benign
 * captures must raise nothing from our ruleset, the malformed-MQTT ones our invalid-packet rules,
 * and the spoofed SYN flood our flood rule.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateIdsConfig } from '../src/gateway/ids/generate.ts';
import { MSEC_SID_RANGE } from '../src/gateway/ids/rules/index.ts';
import {
  cleanupSuricataRuns,
  countMatching,
  readUpstreamTest,
  runOffline,
  scratchDir,
  type EveRecord,
} from './helpers/suricata.ts';
import { describeWithTestdata } from './helpers/testdata.ts';

const ourSids = (records: EveRecord[]) =>
  [
    ...new Set(
      records
        .filter(
          (r) =>
            r.event_type === 'alert' &&
            r.alert.signature_id >= MSEC_SID_RANGE.first &&
            r.alert.signature_id <= MSEC_SID_RANGE.last,
        )
        .map((r) => r.alert.signature_id),
    ),
  ].sort();

const SHARED = [
  { dir: 'telnet-01', pcap: 'telnet.pcap', ours: [] as number[] },
  { dir: 'modbus', pcap: 'modbus.pcap', ours: [] },
  { dir: 'mqtt-pub-rules', pcap: 'mqtt5_pub_jpeg.pcap', ours: [] },
  { dir: 'enip-alert', pcap: 'enip_test1.pcap', ours: [] },
  { dir: 'mqtt-events-invalid-qos', pcap: 'input.pcap', ours: [1_711_024] },
  { dir: 'mqtt-events-missing-connect', pcap: 'input.pcap', ours: [1_711_025] },
];

describeWithTestdata('ids', 'shared IDS captures with the msec config (real Suricata)', (root) => {
  let config = '';
  let configWithFrames = '';
  beforeAll(async () => {
    const dir = scratchDir('msec-ids-shared-');
    config = (await generateIdsConfig({ outDir: join(dir, 'plain') })).configPath;
    // telnet-01's oracle counts telnet frames, a record type a gateway does not log by default.
    configWithFrames = (await generateIdsConfig({ outDir: join(dir, 'frames'), extraEveTypes: ['frame'] })).configPath;
  }, 120_000);
  afterAll(cleanupSuricataRuns);

  for (const t of SHARED) {
    it(`${t.dir}: upstream checks hold and our ruleset raises ${t.ours.length ? t.ours.join(', ') : 'nothing'}`, async () => {
      const dir = join(root, t.dir);
      const upstream = readUpstreamTest(join(dir, 'test.yaml'));
      const run = await runOffline(t.dir === 'telnet-01' ? configWithFrames : config, join(dir, t.pcap), [
        '-s',
        join(dir, 'test.rules'),
        ...upstream.args,
      ]);
      expect(run.code, run.output).toBe(0);
      expect(upstream.checks.length).toBeGreaterThan(0);
      for (const check of upstream.checks)
        expect(countMatching(run.records, check.match), JSON.stringify(check.match)).toBe(check.count);
      expect(ourSids(run.records)).toEqual(t.ours);
    }, 120_000);
  }

  it('ET Open telnet + SCADA rules next to ours stay silent on the benign captures (the README baseline)', async () => {
    const cfg = (
      await generateIdsConfig({
        outDir: join(scratchDir('msec-ids-et-'), 'cfg'),
        extraRulesDir: join(root, 'et-open-rules'),
      })
    ).configPath;
    for (const t of SHARED.filter((x) => x.ours.length === 0)) {
      const run = await runOffline(cfg, join(root, t.dir, t.pcap));
      expect(run.code, run.output).toBe(0);
      expect(
        run.records.filter((r) => r.event_type === 'alert').map((r) => r.alert.signature_id),
        t.dir,
      ).toEqual([]);
      expect(
        run.records.some((r) => r.event_type === 'flow'),
        t.dir,
      ).toBe(true);
    }
  }, 180_000);

  it('ddos-synflood: the spoofed SYN flood raises the flood rule against its target', async () => {
    const run = await runOffline(config, join(root, 'ddos-synflood', 'pkt.TCP.synflood.spoofed.pcap'));
    expect(run.code, run.output).toBe(0);
    expect(ourSids(run.records)).toEqual([1_711_080]);
    const alert = run.records.find((r) => r.event_type === 'alert' && r.alert.signature_id === 1_711_080)!;
    expect(alert.dest_ip).toBe('10.10.10.10');
    expect(alert.alert.metadata.mitre_technique_id).toContain('T1498.001');
  }, 180_000);
});
