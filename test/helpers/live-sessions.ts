/**
 * Two hubs of one deployment in this process (A and B), sharing one store, one bus and the
 * platform keys, as two `msec up` processes do: changes made through A must end live sessions on
 * B, which only the bus can tell it about. Plus probes for a live MQTT subscription and a live
 * SSE stream that record what they receive and when they end.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { loadConfig, silentLogger, type Clock, type EventBus, type Store } from '../../src/core/index.ts';
import { HUB_DEVICES, hubModule, type DevicesHub } from '../../src/hub/index.ts';
import { startPlatform, type Platform } from '../../src/server/index.ts';
import { connectMqtt, freePort } from './hub-platform.ts';

export interface Hub {
  platform: Platform;
  url: string;
  mqttPort: number;
  devices: DevicesHub;
  dataDir: string;
  api(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

export async function startHub(opts: {
  store: Store;
  bus: EventBus;
  dataDir?: string;
  keysFrom?: string;
  clock?: Clock;
}): Promise<Hub> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'msec-live-'));
  if (opts.keysFrom) cpSync(join(opts.keysFrom, 'keys'), join(dataDir, 'keys'), { recursive: true });
  const mqttPort = await freePort();
  const config = loadConfig({
    env: {},
    flags: {
      dataDir,
      port: 0,
      mqttPort,
      logLevel: 'silent',
      auth: { passwordHashCost: 10, loginRateLimitPerMinute: 10_000 },
    },
  });
  const platform = await startPlatform({
    config,
    logger: silentLogger(),
    store: opts.store,
    bus: opts.bus,
    modules: [hubModule()],
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const devices = platform.ctx.services.get(HUB_DEVICES);
  const api: Hub['api'] = async (method, path, o = {}) => {
    const res = await fetch(`${platform.url}${path}`, {
      method,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return { platform, url: platform.url, mqttPort, devices, dataDir, api };
}

export function adminPassword(hub: Hub): string {
  return (JSON.parse(readFileSync(hub.platform.adminCredentialFile!, 'utf8')) as { password: string }).password;
}

export async function stopHub(hub: Hub | undefined): Promise<void> {
  if (!hub) return;
  await hub.platform.close();
  rmSync(hub.dataDir, { recursive: true, force: true });
}

/** Waits for `p`, or fails after `ms` naming `what` (generous: CI is a loaded 2-core machine). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface MqttProbe {
  client: MqttClient;
  messages: string[];
  /** Resolves when the broker closes the connection. */
  closed: Promise<void>;
}

/** An MQTT connection (a subscriber when `filter` is given; any granted QoS, not 0x80). */
export async function mqttProbe(port: number, username: string, password: string, filter?: string): Promise<MqttProbe> {
  const client = await connectMqtt(port, username, password);
  client.on('error', () => undefined);
  const messages: string[] = [];
  client.on('message', (_t, payload) => messages.push(payload.toString()));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  if (filter) {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    if (granted.some((g) => g.qos === 128)) throw new Error(`subscription to ${filter} refused`);
  }
  return { client, messages, closed };
}

export interface SseProbe {
  events: string[];
  /** Resolves with the whole text received once the server ends the stream. */
  ended: Promise<string>;
  abort(): void;
}

/** An SSE stream of `/api/v1/subscribe?topic=…`; resolves once the server answered 200. */
export async function sseProbe(url: string, token: string, filter: string): Promise<SseProbe> {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/v1/subscribe?topic=${encodeURIComponent(filter)}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: ctl.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE refused: ${res.status} ${await res.text()}`);
  const events: string[] = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let first: () => void = () => undefined;
  const subscribed = new Promise<void>((r) => (first = r));
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return text;
      text += decoder.decode(value, { stream: true });
      if (text.includes(': subscribed')) first();
      for (const m of text.matchAll(/event: reading\nid: [^\n]*\ndata: (.*)\n/g))
        if (!events.includes(m[1]!)) events.push(m[1]!);
    }
  })();
  await subscribed;
  return { events, ended, abort: () => ctl.abort() };
}
