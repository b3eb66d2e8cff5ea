/**
 * The whole threat-monitoring path as a city runs it: real Suricata 7 with the configuration
 * `msec gateway ids-config` writes reads captured traffic (the crafted attack captures, and the
 * shared SYN-flood capture), a real `msec gateway agent` process ships its eve.json with the
 * gateway's API key, and the monitor shows grouped alerts with their ATT&CK ids: the IoT
 * ruleset's alerts, and the SYN-flood correlation of the Sigma pack.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateIdsConfig } from '../src/gateway/ids/generate.ts';
import { spawnAgent, type AgentProcess } from './helpers/agent-process.ts';
import { buildMergedCapture } from './helpers/ids-captures.ts';
import { startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';
import { waitFor } from './helpers/net.ts';
import { cleanupSuricataRuns, runOffline, scratchDir } from './helpers/suricata.ts';
import { describeWithTestdata } from './helpers/testdata.ts';

type Alert = {
  rule: { id: string; title: string };
  count: number;
  mitre: { technique: string | null; tactic: string | null };
  observer?: string;
};

describeWithTestdata('ids', 'Suricata -> gateway agent -> monitor', (ids) => {
  let m: MonitorPlatform;
  let agent: AgentProcess | undefined;
  let shipped = 0;

  beforeAll(async () => {
    const dir = scratchDir('msec-pipeline-');
    const cfg = await generateIdsConfig({ outDir: join(dir, 'cfg'), sensorName: 'gw-santander-1' });
    const crafted = join(dir, 'crafted.pcap');
    writeFileSync(crafted, buildMergedCapture());
    // One eve.json, as one gateway's Suricata writes it over time: the attacks, then the flood.
    const eve = join(dir, 'eve.json');
    writeFileSync(eve, '');
    for (const pcap of [crafted, join(ids, 'ddos-synflood', 'pkt.TCP.synflood.spoofed.pcap')]) {
      const run = await runOffline(cfg.configPath, pcap);
      expect(run.code, run.output).toBe(0);
      appendFileSync(eve, run.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      shipped += run.records.length;
    }
    m = await startMonitorPlatform({ listen: true });
    writeFileSync(join(dir, 'token'), m.gatewayKey);
    agent = spawnAgent([
      '--eve',
      eve,
      '--to',
      `${m.t.platform.url}/api/v1/monitor/ingest`,
      '--token-file',
      join(dir, 'token'),
      '--state-dir',
      join(dir, 'state'),
      '--sensor',
      'gw-santander-1',
      '--org',
      'santander',
    ]);
    expect(readFileSync(eve, 'utf8').split('\n').filter(Boolean)).toHaveLength(shipped);
  }, 600_000);
  afterAll(async () => {
    await agent?.kill9();
    await m?.close();
    cleanupSuricataRuns();
  });

  const alerts = async (q: string): Promise<Alert[]> =>
    (await m.t.request('GET', `/api/v1/monitor/alerts?limit=500&${q}`, { token: m.santanderOp })).json().items;
  const stored = async (): Promise<number> => {
    const items = (
      await m.t.request('GET', '/api/v1/monitor/events/top?by=gateway&n=10', { token: m.santanderOp })
    ).json().items as Array<{ key: string; count: number }>;
    return items.find((i) => i.key === 'gw-santander-1')?.count ?? 0;
  };

  it('stores every record the gateway logged, once', async () => {
    await waitFor(async () => (await stored()) >= shipped, 300_000, `${shipped} events stored`);
    expect(await stored()).toBe(shipped);
  }, 320_000);

  it("shows the IoT ruleset's alerts grouped, each with its ATT&CK technique and tactic", async () => {
    const ours = (await alerts('kind=ids')).filter((a) => /^suricata:1:1711\d{3}$/.test(a.rule.id));
    const sids = new Set(ours.map((a) => a.rule.id));
    // One family each: telnet brute force, Mirai, MQTT abuse, Modbus writes, DNP3 restarts, CoAP, scans.
    for (const sid of ['1711001', '1711010', '1711020', '1711040', '1711050', '1711060', '1711070'])
      expect(sids, sid).toContain(`suricata:1:${sid}`);
    expect(ours.every((a) => /^T\d{4}/.test(a.mitre.technique ?? '') && /^TA\d{4}$/.test(a.mitre.tactic ?? ''))).toBe(
      true,
    );
    // Grouped: the brute force's many alerts are one inbox entry per source and destination, counted.
    expect(ours.some((a) => a.count > 1)).toBe(true);
  });

  it('correlates the SYN flood per destination (the Sigma pack) with T1498', async () => {
    const flood = (await alerts('kind=correlation')).filter(
      (a) => a.rule.title === 'SYN flood against one destination',
    );
    expect(flood.length).toBeGreaterThanOrEqual(1);
    expect(flood[0]!.mitre.technique).toBe('T1498');
  });
});
