/**
 * The agent against the real monitor ingest (`POST /api/v1/monitor/ingest` of wip/monitor): a real
 * `msec gateway agent` process, authenticated with a gateway service principal's API key, ships a
 * live eve.json through a rename rotation and a kill -9 of itself; the monitor counts every event
 * once for that gateway.
 */
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, type AgentProcess } from './helpers/agent-process.ts';
import { eveAlert, eveLine, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';
import { waitFor } from './helpers/net.ts';

describe('gateway agent -> real monitor ingest', () => {
  let m: MonitorPlatform;
  let dir: string;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'msec-agent-monitor-'));
  });
  afterAll(async () => {
    for (const a of agents) await a.kill9();
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (): Promise<number> => {
    const r = await m.t.request('GET', '/api/v1/monitor/events/top?by=gateway&n=10', { token: m.santanderOp });
    expect(r.statusCode).toBe(200);
    const items = (r.json() as { items: { key: string; count: number }[] }).items;
    return items.find((i) => i.key === 'gw-santander-1')?.count ?? 0;
  };

  it('every event stored once through rotation and kill -9', async () => {
    const eve = join(dir, 'eve.json');
    writeFileSync(eve, '');
    writeFileSync(join(dir, 'token'), m.gatewayKey);
    const args = [
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
      '--poll-ms',
      '50',
      '--linger-ms',
      '20',
      '--batch-events',
      '40',
    ];
    let seq = 0;
    const t0 = Date.now() - 600_000;
    const write = (path: string, n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++, seq++) {
        lines.push(
          seq % 4 === 0
            ? eveAlert(t0 + seq, {
                sid: 9100001,
                signature: 'MSEC test telnet brute force',
                severity: 2,
                src: '198.51.100.7',
                dst: '10.0.0.5',
                flow: seq,
                technique: 'T1110',
              })
            : eveLine({
                timeMs: t0 + seq,
                event_type: 'flow',
                flow_id: seq,
                src_ip: '198.51.100.7',
                dest_ip: '10.0.0.5',
                dest_port: 1883,
                proto: 'TCP',
                seq,
              }),
        );
      }
      appendFileSync(path, lines.join('\n') + '\n');
    };
    let a = spawnAgent(args);
    agents.push(a);
    write(eve, 200);
    await waitFor(async () => (await stored()) >= 200, 60_000, '200 stored');
    renameSync(eve, `${eve}.1`);
    write(`${eve}.1`, 30);
    writeFileSync(eve, '');
    write(eve, 300);
    await waitFor(async () => (await stored()) > 230, 60_000, 'delivery after rotation');
    await a.kill9();
    write(eve, 100);
    a = spawnAgent(args);
    agents.push(a);
    await waitFor(async () => (await stored()) >= seq, 90_000, `${seq} stored`);
    await a.stop();
    expect(await stored()).toBe(seq);
  }, 180_000);
});
