import { expect } from 'vitest';
import type { Store } from '../../src/core/index.ts';
import { monitorModule, type MonitorOptions } from '../../src/monitor/index.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export interface MonitorPlatform {
  t: TestPlatform;
  admin: string;
  /** Access tokens of santander's and fujisawa's operators, and of a platform operator. */
  santanderOp: string;
  fujisawaOp: string;
  platformOp: string;
  santanderAnalyst: string;
  /** An msec API key of santander's gateway (a service principal). */
  gatewayKey: string;
  close(): Promise<void>;
}

/** A platform running the monitor, with both cities, their operators and a gateway key. */
export async function startMonitorPlatform(
  opts: { store?: Store; listen?: boolean; monitor?: MonitorOptions } = {},
): Promise<MonitorPlatform> {
  const t = await startTestPlatform({
    modules: [monitorModule(opts.monitor ?? {})],
    listen: opts.listen ?? false,
    ...(opts.store ? { store: opts.store } : {}),
    config: { auth: { loginRateLimitPerMinute: 1000 } },
  });
  const admin = await t.adminToken();
  for (const id of ['santander', 'fujisawa']) {
    const r = await t.request('POST', '/api/v1/orgs', { token: admin, body: { id, name: id, kind: 'city' } });
    expect(r.statusCode).toBe(201);
  }
  const user = async (name: string, org: string, role: string) => {
    const r = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org, kind: 'user', name, roles: [role], password: `${name}-password-123` },
    });
    expect(r.statusCode).toBe(201);
    return t.login(name, `${name}-password-123`);
  };
  const santanderOp = await user('sant-op', 'santander', 'operator');
  const fujisawaOp = await user('fuji-op', 'fujisawa', 'operator');
  const platformOp = await user('soc-op', 'platform', 'operator');
  const santanderAnalyst = await user('sant-analyst', 'santander', 'analyst');
  const gw = await t.request('POST', '/api/v1/principals', {
    token: admin,
    body: { org: 'santander', kind: 'service', name: 'gw-santander-1', roles: ['provider'] },
  });
  expect(gw.statusCode).toBe(201);
  const key = await t.request('POST', '/api/v1/api-keys', {
    token: admin,
    body: { name: 'gateway', principalId: gw.json().id },
  });
  expect(key.statusCode).toBe(201);
  return {
    t,
    admin,
    santanderOp,
    fujisawaOp,
    platformOp,
    santanderAnalyst,
    gatewayKey: key.json().key as string,
    close: () => t.close(),
  };
}

/** An EVE record as Suricata writes it (offset without a colon, microseconds). */
export function eveLine(fields: Record<string, unknown> & { timeMs: number }): string {
  const { timeMs, ...rest } = fields;
  const ts = new Date(timeMs).toISOString().replace('Z', '000+0000');
  return JSON.stringify({ timestamp: ts, ...rest });
}

export function eveAlert(
  timeMs: number,
  o: {
    sid: number;
    signature: string;
    severity: number;
    src: string;
    dst: string;
    dport?: number;
    flow?: number;
    technique?: string;
  },
): string {
  return eveLine({
    timeMs,
    flow_id: o.flow ?? 1,
    event_type: 'alert',
    src_ip: o.src,
    src_port: 40000,
    dest_ip: o.dst,
    dest_port: o.dport ?? 23,
    proto: 'TCP',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: o.sid,
      rev: 1,
      signature: o.signature,
      category: 'Attempted Administrator Privilege Gain',
      severity: o.severity,
      ...(o.technique ? { metadata: { mitre_technique_id: [o.technique] } } : {}),
    },
  });
}
