import type { Monitor } from '../../src/monitor/index.ts';

const TECHNIQUES: Array<[string, string]> = [
  ['T1110', 'TA0006'],
  ['T1046', 'TA0007'],
  ['T1190', 'TA0001'],
  ['T0855', 'TA0106'],
  ['T1498', 'TA0040'],
  ['T1078', 'TA0001'],
];
const LEVELS: Array<[string, number]> = [
  ['low', 2],
  ['medium', 3],
  ['high', 4],
  ['critical', 5],
];

/**
 * `n` distinct open alerts of one city straight into the monitor's table (the inbox's load, not the
 * pipeline's, is what the scroll benchmark measures), one second apart, newest now.
 */
export async function seedAlerts(monitor: Monitor, org: string, n: number, now: number): Promise<void> {
  const BATCH = 1000; // 22 columns: under SQLite's bound on variables per statement
  for (let start = 0; start < n; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const [technique, tactic] = TECHNIQUES[i % TECHNIQUES.length]!;
      const [level, severity] = LEVELS[i % LEVELS.length]!;
      const rule = 2_000_000 + (i % 50);
      const src = `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;
      rows.push({
        id: `bench-${String(i).padStart(6, '0')}`,
        org_id: org,
        group_key: `suricata:1:${rule}|${src}|10.0.0.${i % 200}`,
        rule_id: `suricata:1:${rule}`,
        rule_title: `ET BENCH signature ${rule} (${technique})`,
        kind: 'ids',
        level,
        severity,
        risk: 20 + (i % 80),
        technique,
        tactic,
        src_ip: src,
        dst_ip: `10.0.0.${i % 200}`,
        observer: `gw-${org}-${1 + (i % 3)}`,
        count: 1 + (i % 17),
        first_seen: now - i * 1000 - 5000,
        last_seen: now - i * 1000,
        status: 'open' as const,
        assignee: null,
        close_reason: null,
        updated_at: now,
        detail: JSON.stringify({ signatureId: rule, techniques: [technique], tactics: [tactic] }),
      });
    }
    await monitor.db.insertInto('monitor_alerts').values(rows).execute();
  }
}
