/**
 * The SYN-flood capture (../shared/testdata/ids/ddos-synflood): real Suricata turns it into EVE flow
 * records (and no alert); the shipped pack must raise the SYN flood correlation from them alone,
 * once, for the attacked destination, while the 37k spoofed sources stay within the group caps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSigmaEngine, loadRulePack, type SigmaMatch } from '../src/monitor/sigma/index.ts';
import { describeWithTestdata } from './helpers/testdata.ts';
import { eveToSigmaEvent } from './helpers/eve-sigma.ts';

describeWithTestdata('ids/ddos-synflood', 'rule pack on the SYN-flood capture through real Suricata', (dir) => {
  let out: string;
  let child: ChildProcess | undefined;
  let lines: string[];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'msec-synflood-'));
    // Only flow and alert records: that is what the agent ships for this case; no rules are needed to
    // show that signatures stay silent.
    const args = [
      '-c',
      '/etc/suricata/suricata.yaml',
      '-S',
      '/dev/null',
      '-r',
      join(dir, 'pkt.TCP.synflood.spoofed.pcap'),
      '-l',
      out,
      '-k',
      'none',
      '--runmode',
      'single',
      '--set',
      'outputs.1.eve-log.types=[alert, flow]',
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      child = spawn('suricata', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (c) =>
        c === 0 ? resolve(c) : reject(new Error(`suricata exited ${c}: ${stderr.slice(-500)}`)),
      );
    });
    child = undefined;
    expect(code).toBe(0);
    lines = readFileSync(join(out, 'eve.json'), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  }, 120_000);

  afterAll(() => {
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('raises one SYN flood correlation for 10.10.10.10 and nothing else', () => {
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const flows = records.filter((r) => r['event_type'] === 'flow');
    expect(flows.length).toBeGreaterThan(30_000);
    expect(records.filter((r) => r['event_type'] === 'alert')).toEqual([]);
    const engine = createSigmaEngine({ maxGroupsPerCorrelation: 10_000 });
    engine.load(loadRulePack());
    const matches: SigmaMatch[] = [];
    records.forEach((r, i) =>
      matches.push(...engine.evaluate(eveToSigmaEvent(r, `f${i}`, { org: 'santander', observer: 'gw-santander-1' }))),
    );
    expect(matches.map((m) => [m.rule.title, m.kind, m.group, m.count])).toEqual([
      ['SYN flood against one destination', 'correlation', { 'destination.ip': '10.10.10.10' }, 1000],
    ]);
    expect(matches[0]?.rule.tags).toContain('attack.t1498.001');
    expect(matches[0]?.eventIds.length).toBeGreaterThan(0);
    // Tens of thousands of spoofed sources: per-source correlations are held at the cap, and say so.
    const stats = engine.stats();
    expect(stats.capped).toBeGreaterThan(20_000);
    expect(stats.groups).toBeLessThanOrEqual(stats.correlations * 10_000);
  });
});
