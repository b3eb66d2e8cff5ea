import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { BlockList } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IOT_RULES, RULE_FAMILIES, ruleBySid } from '../ids/rules/index.ts';
import { DEMO_CITIES } from './cities.ts';
import { eveTimestamp, generateDemoEve, seededRng } from './eve.ts';
import { startDemoGateways, startEveReplay } from './replay.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function inNet(ip: string, cidr: string): boolean {
  const [net, p] = cidr.split('/');
  const bl = new BlockList();
  bl.addSubnet(net!, Number(p), 'ipv4');
  return bl.check(ip, 'ipv4');
}

describe('demo EVE generator', () => {
  it('writes alerts that carry real sids, signatures and MITRE metadata of the ruleset', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(...RULE_FAMILIES),
        fc.constantFrom('santander' as const, 'fujisawa' as const),
        (seed, family, city) => {
          const records = generateDemoEve({ city, sensor: `gw-${city}-1`, now: NOW, rng: seededRng(seed), family }).map(
            (l) => JSON.parse(l),
          );
          const alerts = records.filter((r) => r.event_type === 'alert');
          expect(alerts).toHaveLength(1);
          const rule = ruleBySid(alerts[0].alert.signature_id);
          expect(rule?.family).toBe(family);
          expect(alerts[0].alert.signature).toBe(rule!.msg);
          expect(alerts[0].alert.metadata.mitre_technique_id).toEqual([...rule!.mitre]);
          expect(alerts[0].alert.severity).toBe(rule!.priority);
          for (const r of records) {
            expect(r.host).toBe(`gw-${city}-1`);
            expect(Date.parse(r.timestamp.replace('+0000', 'Z'))).toBeLessThanOrEqual(NOW + 1000);
            // Every record touches one of the city's devices and one outside address.
            const home = DEMO_CITIES[city].homeNet;
            expect(inNet(r.src_ip, home) !== inNet(r.dest_ip, home)).toBe(true);
          }
          const times = records.map((r) => r.timestamp);
          expect([...times].sort()).toEqual(times);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('covers every rule of the ruleset given enough episodes', () => {
    const rng = seededRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000 && seen.size < IOT_RULES.length; i++) {
      for (const l of generateDemoEve({ city: 'santander', sensor: 's', now: NOW, rng })) {
        const r = JSON.parse(l);
        if (r.event_type === 'alert') seen.add(r.alert.signature_id);
      }
    }
    expect(IOT_RULES.filter((r) => !seen.has(r.sid)).map((r) => r.sid)).toEqual([]);
  });

  it('formats timestamps as Suricata does', () => {
    expect(eveTimestamp(Date.UTC(2026, 0, 15, 8, 0, 0, 87))).toBe('2026-01-15T08:00:00.087000+0000');
  });
});

describe('demo EVE replay', () => {
  it('appends whole episodes to the file until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msec-replay-'));
    try {
      const file = join(dir, 'log', 'eve.json');
      const replay = startEveReplay({
        file,
        city: 'fujisawa',
        sensor: 'gw-fujisawa-1',
        intervalMs: 5,
        maxEpisodes: 4,
        rng: seededRng(3),
        families: ['mqtt', 'dnp3'],
      });
      for (let i = 0; i < 400 && replay.stats().episodes < 4; i++) await new Promise((r) => setTimeout(r, 10));
      await replay.stop();
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(replay.stats().lines);
      const alerts = lines.map((l) => JSON.parse(l)).filter((r) => r.event_type === 'alert');
      expect(alerts.map((a) => ruleBySid(a.alert.signature_id)!.family)).toEqual(['mqtt', 'dnp3', 'mqtt', 'dnp3']);
      expect(replay.stats()).toMatchObject({ episodes: 4, errors: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('demo gateways', () => {
  it("replays from a gateway in each city, with that city's sensor name and devices", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msec-demo-gw-'));
    try {
      const demo = startDemoGateways(dir, { intervalMs: 5, rng: seededRng(11) });
      for (let i = 0; i < 400 && demo.replays.some((r) => r.stats().lines === 0); i++)
        await new Promise((r) => setTimeout(r, 10));
      await demo.stop();
      for (const city of ['santander', 'fujisawa'] as const) {
        const records = readFileSync(demo.files[city]!, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(records.length).toBeGreaterThan(0);
        expect(records.every((r) => r.host === `gw-${city}-1`)).toBe(true);
        const devices = new Set(DEMO_CITIES[city].devices.map((d) => d.ip));
        expect(records.every((r) => devices.has(r.src_ip) || devices.has(r.dest_ip))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
