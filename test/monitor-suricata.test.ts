import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';
import { runSuricata, suricataAvailable, withMitreMetadata } from './helpers/suricata-minimal.ts';
import { describeWithTestdata } from './helpers/testdata.ts';

interface Alert {
  id: string;
  rule: { id: string; kind: string; title: string };
  count: number;
  source: string | null;
  destination: string | null;
  mitre: { technique: string | null; tactic: string | null; tacticName: string | null };
}

describeWithTestdata('ids', 'real Suricata on the shared captures -> ingest -> alerts through the API', (ids) => {
  let m: MonitorPlatform;
  let work: string;

  beforeAll(async () => {
    if (!suricataAvailable())
      throw new Error('suricata is not installed: apt-get install -t bookworm-backports suricata (.ci/run does)');
    m = await startMonitorPlatform({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'msec-suricata-'));
  }, 60_000);
  afterAll(async () => {
    await m?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs Suricata on one capture and ships its EVE file as the gateway agent does (ids: sensor:dev:ino:offset). */
  async function capture(
    name: string,
    pcap: string,
    rules: string | undefined,
    args: string[] = [],
  ): Promise<string[]> {
    const out = mkdtempSync(join(work, `${name}-`));
    const rulesFile = join(out, 'test.rules');
    writeFileSync(rulesFile, rules ?? '');
    const lines = await runSuricata({
      pcap: join(ids, name, pcap),
      rules: rulesFile,
      outDir: out,
      args,
      timeoutMs: 240_000,
    });
    const st = statSync(join(out, 'eve.json'));
    let offset = 0;
    const events = readFileSync(join(out, 'eve.json'), 'utf8')
      .split('\n')
      .flatMap((line) => {
        const at = offset;
        offset += Buffer.byteLength(line) + 1;
        return line.trim() === ''
          ? []
          : [{ id: `gw-santander-1:${st.dev}:${st.ino}:${at}`, type: 'eve', line, file: '/var/log/suricata/eve.json' }];
      });
    for (let i = 0; i < events.length; i += 5000) {
      const res = await m.t.request('POST', '/api/v1/monitor/ingest', {
        token: m.gatewayKey,
        body: {
          agent: { name: 'gw-santander-1', version: '0.1.0', org: 'santander' },
          events: events.slice(i, i + 5000),
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().rejected).toEqual([]);
    }
    return lines;
  }

  const alerts = async (q: string): Promise<Alert[]> =>
    (await m.t.request('GET', `/api/v1/monitor/alerts?limit=500&${q}`, { token: m.santanderOp })).json().items;
  const countsBySid = (list: Alert[]) => {
    const out: Record<string, number> = {};
    for (const a of list) out[a.rule.id] = (out[a.rule.id] ?? 0) + a.count;
    return out;
  };

  it('telnet-01: the upstream oracle alert (sid 1), grouped, with its ATT&CK technique and tactic', async () => {
    const rules = withMitreMetadata(readFileSync(join(ids, 'telnet-01', 'test.rules'), 'utf8'), 'T1059', 'TA0002');
    await capture('telnet-01', 'telnet.pcap', rules, ['--set', 'stream.reassembly.urgent.policy=oob']);
    const list = (await alerts('kind=ids')).filter((a) => a.rule.id === 'suricata:1:1');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      count: 1,
      mitre: { technique: 'T1059', tactic: 'TA0002', tacticName: 'Execution' },
    });
  }, 300_000);

  it('modbus: per-signature counts as the upstream test.yaml expects, ICS technique carried', async () => {
    const rules = withMitreMetadata(readFileSync(join(ids, 'modbus', 'test.rules'), 'utf8'), 'T0855', 'TA0106');
    await capture('modbus', 'modbus.pcap', rules);
    const counts = countsBySid(
      (await alerts('kind=ids')).filter((a) => a.rule.id.startsWith('suricata:1:') && a.rule.id !== 'suricata:1:1'),
    );
    expect(counts).toMatchObject({
      'suricata:1:2': 18,
      'suricata:1:3': 3,
      'suricata:1:4': 18,
      'suricata:1:5': 1,
      'suricata:1:6': 3,
      'suricata:1:7': 8,
    });
    const one = (await alerts('kind=ids&technique=T0855'))[0]!;
    expect(one.mitre).toMatchObject({ technique: 'T0855', tactic: 'TA0106' });
  }, 300_000);

  it('mqtt-events-invalid-qos and enip-alert: the protocol-abuse alerts appear', async () => {
    await capture(
      'mqtt-events-invalid-qos',
      'input.pcap',
      readFileSync(join(ids, 'mqtt-events-invalid-qos', 'test.rules'), 'utf8'),
    );
    await capture('enip-alert', 'enip_test1.pcap', readFileSync(join(ids, 'enip-alert', 'test.rules'), 'utf8'));
    const counts = countsBySid(await alerts('kind=ids'));
    expect(counts['suricata:1:2226006']).toBe(1);
    expect(counts['suricata:1:6450008']).toBe(2);
    const anomalies = (
      await m.t.request(
        'GET',
        '/api/v1/monitor/events?dataset=anomaly&field=suricata.eve.anomaly.event&q=invalid_qos_level',
        { token: m.santanderOp },
      )
    ).json().items;
    expect(anomalies).toHaveLength(1);
  }, 300_000);

  it('ddos-synflood: no Suricata alert, but the pack correlates a SYN flood per destination with T1498', async () => {
    const before = (await alerts('kind=ids')).length;
    const lines = await capture('ddos-synflood', 'pkt.TCP.synflood.spoofed.pcap', undefined);
    expect(lines.filter((l) => l.includes('"event_type":"flow"')).length).toBeGreaterThan(30_000);
    expect((await alerts('kind=ids')).length).toBe(before);
    const flood = (await alerts('kind=correlation')).filter(
      (a) => a.rule.title === 'SYN flood against one destination',
    );
    expect(flood.length).toBeGreaterThanOrEqual(1);
    expect(flood[0]!.destination).not.toBeNull();
    expect(flood[0]!.source).toBeNull();
    expect(flood[0]!.mitre).toMatchObject({ technique: 'T1498', tactic: 'TA0040' });
    const events = (
      await m.t.request('GET', `/api/v1/monitor/alerts/${flood[0]!.id}/events?limit=50`, { token: m.santanderOp })
    ).json();
    expect(events.linked.length).toBeGreaterThan(0);
    expect(
      events.linked.every(
        (e: { doc: { destination: { ip: string } } }) => e.doc.destination.ip === flood[0]!.destination,
      ),
    ).toBe(true);
  }, 600_000);
});
