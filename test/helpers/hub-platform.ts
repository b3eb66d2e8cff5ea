import { spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { hubDataModule, type HubDataOptions } from '../../src/hub/data-module.ts';
import type { ConfigInput, Store } from '../../src/core/index.ts';
import { freePort } from './net.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';
import { TestDeviceSide } from './hub-devices.ts';

export interface HubTestPlatform extends TestPlatform {
  devices: TestDeviceSide;
  mqttPort: number;
  /** Creates an org (if absent) and a principal with an API key; returns the key and principal id. */
  principal(org: string, name: string, roles: string[], kind?: 'user' | 'service'): Promise<{ key: string; id: string }>;
}

export async function startHubPlatform(opts: { data?: HubDataOptions; config?: ConfigInput; store?: Store } = {}): Promise<HubTestPlatform> {
  const devices = new TestDeviceSide();
  const mqttPort = await freePort();
  const t = await startTestPlatform({
    modules: [devices.module(), hubDataModule(opts.data)],
    config: { mqttPort, ...opts.config },
    listen: true,
    ...(opts.store ? { store: opts.store } : {}),
  });
  const principal: HubTestPlatform['principal'] = async (org, name, roles, kind = 'service') => {
    const dir = t.platform.ctx.iam.directory;
    if (!(await dir.getOrg(org))) await dir.createOrg({ id: org, name: org, kind: org === 'buyer' ? 'buyer' : 'city' });
    const p = await dir.createPrincipal({ orgId: org, kind, name, roles: roles as never });
    const { key } = await t.platform.ctx.iam.apiKeys.create(p.id, `${name}-key`);
    return { key, id: p.id };
  };
  return Object.assign(t, { devices, mqttPort, principal });
}

export function connectMqtt(port: number, username: string, password: string, clientId?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { username, password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000, ...(clientId ? { clientId } : {}) });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

/** Runs a command to completion (or until `timeoutMs`, then SIGTERM); returns its output and exit code. */
export function runTool(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
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
