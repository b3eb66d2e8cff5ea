import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { eveAlert, eveLine, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';

const RULE = `title: Telnet from outside
id: 0b0c3d4e-1111-4222-8333-944455556666
status: test
logsource:
  product: suricata
  service: flow
detection:
  selection:
    destination.port: 23
  condition: selection
level: medium
tags:
  - attack.t1021
`;

describe('msec monitor (CLI)', () => {
  let m: MonitorPlatform;
  let dir: string;
  let eve: string;
  const api = () => ['--hub', m.t.platform.url];

  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'msec-monitor-cli-'));
    const t = Date.now() - 60_000;
    eve = join(dir, 'eve.json');
    writeFileSync(
      eve,
      [
        eveAlert(t, {
          sid: 7001,
          signature: 'TEST telnet login',
          severity: 2,
          src: '198.51.100.4',
          dst: '10.0.0.9',
          technique: 'T1078',
        }),
        eveLine({
          timeMs: t + 1,
          event_type: 'flow',
          src_ip: '198.51.100.4',
          dest_ip: '10.0.0.9',
          dest_port: 23,
          proto: 'TCP',
        }),
        'garbage line',
        eveAlert(t + 2, {
          sid: 7001,
          signature: 'TEST telnet login',
          severity: 2,
          src: '198.51.100.4',
          dst: '10.0.0.9',
          technique: 'T1078',
        }),
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'telnet.yml'), RULE);
    writeFileSync(join(dir, 'broken.yml'), RULE.replace('level: medium', 'level: apocalyptic'));
  });
  afterAll(async () => {
    await m.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports an EVE file once, whatever how often it is run, and reports the refused line', async () => {
    const first = await runMsec(['monitor', 'ingest', eve, '--gateway', 'gw-santander-1', '--progress', ...api()], {
      env: { MSEC_TOKEN: m.gatewayKey },
    });
    expect(first.stderr).toContain('100%');
    expect(first.stdout).toContain('4 line(s): 3 stored, 0 already stored, 1 refused (MONITOR_EVENT_INVALID 1)');
    expect(first.code).toBe(0);
    const again = await runMsec(['monitor', 'ingest', eve, '--gateway', 'gw-santander-1', ...api()], {
      env: { MSEC_TOKEN: m.gatewayKey },
    });
    expect(again.stdout).toContain('0 stored, 3 already stored');
  });

  it('lists alerts, open only, as JSON', async () => {
    const r = await runMsec(['monitor', 'alerts', '--open', '--json', ...api(), '--token', m.santanderOp]);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{
      rule: { title: string };
      count: number;
      mitre: { technique: string };
    }>;
    expect(items).toEqual([
      expect.objectContaining({
        count: 2,
        rule: expect.objectContaining({ title: 'TEST telnet login' }),
        mitre: expect.objectContaining({ technique: 'T1078' }),
      }),
    ]);
    const text = await runMsec(['monitor', 'alerts', ...api(), '--token', m.santanderOp]);
    expect(text.stdout).toContain('TEST telnet login');
  });

  it('tests a rule file offline against the EVE file', async () => {
    const r = await runMsec(['monitor', 'rules', 'test', join(dir, 'telnet.yml'), '--events', eve]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 rule(s), 3 event(s), 1 line(s) refused, 1 match(es)');
    expect(r.stdout).toContain('line 2: detection medium "Telnet from outside"');
  });

  it('adds a rule set through the API and lists it; a broken file fails with its name', async () => {
    const add = await runMsec(['monitor', 'rules', 'add', join(dir, 'telnet.yml'), ...api(), '--token', m.admin]);
    expect(add.stdout).toContain('rule set telnet: 1 rule(s) loaded');
    const list = await runMsec(['monitor', 'rules', 'list', ...api(), '--token', m.admin]);
    expect(list.stdout).toMatch(/on +medium +set:telnet +0b0c3d4e-1111-4222-8333-944455556666 +Telnet from outside/);
    expect(list.stdout).toContain('pack');
    const bad = await runMsec(['monitor', 'rules', 'add', join(dir, 'broken.yml'), ...api(), '--token', m.admin]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*broken\.yml/);
    const unauth = await runMsec([
      'monitor',
      'rules',
      'add',
      join(dir, 'telnet.yml'),
      '--id',
      'x2',
      ...api(),
      '--token',
      m.santanderOp,
    ]);
    expect(unauth.code).toBe(1);
    expect(unauth.stderr).toContain('error:');
  });

  it('says what is missing: exit 2 on a usage error', async () => {
    const r = await runMsec(['monitor', 'rules', 'test', join(dir, 'telnet.yml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--events');
  });
});
