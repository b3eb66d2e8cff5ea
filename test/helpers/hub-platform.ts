import { spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { HUB_DEVICES, hubModule, type DevicesHub, type HubOptions } from '../../src/hub/index.ts';
import type { Clock, ConfigInput, PlatformModule, Store } from '../../src/core/index.ts';
import { freePort } from './net.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export interface HubTestPlatform extends TestPlatform {
  /** The real device side of the hub (`hub.devices`): registry, enrollment, ingest, device keys. */
  devices: DevicesHub;
  mqttPort: number;
  /** Creates the org if absent (kind `buyer` for org `buyer`, `city` otherwise). */
  ensureOrg(org: string): Promise<void>;
  /** Creates an org (if absent) and a principal with an API key; returns the key and principal id. */
  principal(
    org: string,
    name: string,
    roles: string[],
    kind?: 'user' | 'service',
  ): Promise<{ key: string; id: string }>;
  /** Creates the org if absent and a device enrollment token for it through POST /api/v1/devices/enrollment-tokens. */
  enrollmentToken(org: string, maxUses?: number): Promise<string>;
}

/** A listening platform with the real devices module and the hub data module, as `msec up` runs them. */
export async function startHubPlatform(
  opts: { data?: HubOptions; config?: ConfigInput; store?: Store; clock?: Clock; alsoModules?: PlatformModule[] } = {},
): Promise<HubTestPlatform> {
  const mqttPort = await freePort();
  const t = await startTestPlatform({
    modules: [hubModule(opts.data), ...(opts.alsoModules ?? [])],
    config: { mqttPort, ...opts.config },
    listen: true,
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const devices = t.platform.ctx.services.get(HUB_DEVICES);
  const ensureOrg: HubTestPlatform['ensureOrg'] = async (org) => {
    const dir = t.platform.ctx.iam.directory;
    if (!(await dir.getOrg(org))) await dir.createOrg({ id: org, name: org, kind: org === 'buyer' ? 'buyer' : 'city' });
  };
  const principal: HubTestPlatform['principal'] = async (org, name, roles, kind = 'service') => {
    await ensureOrg(org);
    const p = await t.platform.ctx.iam.directory.createPrincipal({ orgId: org, kind, name, roles: roles as never });
    const { key } = await t.platform.ctx.iam.apiKeys.create(p.id, `${name}-key`);
    return { key, id: p.id };
  };
  const enrollmentToken: HubTestPlatform['enrollmentToken'] = async (org, maxUses = 1) => {
    await ensureOrg(org);
    const res = await t.request('POST', '/api/v1/devices/enrollment-tokens', {
      token: await t.adminToken(),
      body: { org, maxUses },
    });
    if (res.statusCode !== 201) throw new Error(`enrollment token for ${org}: ${res.statusCode} ${res.body}`);
    return (res.json() as { token: string }).token;
  };
  return Object.assign(t, { devices, mqttPort, ensureOrg, principal, enrollmentToken });
}

export function connectMqtt(port: number, username: string, password: string, clientId?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      username,
      password,
      reconnectPeriod: 0,
      protocolVersion: 4,
      connectTimeout: 5000,
      ...(clientId ? { clientId } : {}),
    });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

/** Runs a command to completion (or until `timeoutMs`, then SIGTERM); returns its output and exit code. */
export function runTool(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

export { freePort };
