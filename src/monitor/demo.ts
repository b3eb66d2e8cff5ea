import type { ModuleContext } from '../core/index.ts';
import type { Monitor } from './service.ts';

/** A few EVE records per city, stamped now, so the inbox is not empty before the gateways' replays arrive. */
function demoLines(now: number, gateway: string, attacker: string, target: string): string[] {
  const ts = (offsetMs: number) => new Date(now - offsetMs).toISOString().replace('Z', '+0000');
  const alert = (i: number, sid: number, signature: string, severity: number, port: number, technique: string) =>
    JSON.stringify({
      timestamp: ts(60_000 - i * 1000),
      flow_id: 1000 + i,
      event_type: 'alert',
      host: gateway,
      src_ip: attacker,
      src_port: 40000 + i,
      dest_ip: target,
      dest_port: port,
      proto: 'TCP',
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: sid,
        rev: 1,
        signature,
        category: 'Attempted Administrator Privilege Gain',
        severity,
        metadata: { mitre_technique_id: [technique] },
      },
    });
  return [
    alert(1, 2_010_001, 'DEMO telnet brute force against an IoT gateway', 1, 23, 'T1110'),
    alert(2, 2_010_001, 'DEMO telnet brute force against an IoT gateway', 1, 23, 'T1110'),
    alert(3, 2_010_002, 'DEMO Modbus write to a holding register from outside', 2, 502, 'T0855'),
  ];
}

/** `msec up --demo`: seeds both cities' inboxes; the replayed gateway EVE and platform attacks add the rest. */
export async function monitorDemo(ctx: ModuleContext, monitor: Monitor): Promise<void> {
  const now = ctx.clock.now();
  let alerts = 0;
  for (const [org, gateway, attacker, target] of [
    ['santander', 'gw-santander-1', '203.0.113.50', '10.10.0.5'],
    ['fujisawa', 'gw-fujisawa-1', '203.0.113.50', '10.20.0.7'],
  ] as const) {
    const lines = demoLines(now, gateway, attacker, target);
    const out = await monitor.pipeline.ingestLines(
      org,
      gateway,
      lines.map((line, i) => ({ id: `demo:${gateway}:${now}:${i}`, type: 'eve', line })),
    );
    alerts += out.accepted;
  }
  ctx.logger.info({ events: alerts }, 'monitor demo: seeded IDS alerts for santander and fujisawa');
}
