import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { SimDevice } from './helpers/hub-devices.ts';
import { HUB_BROKER } from '../src/hub/index.ts';
import { connectMqtt, runTool, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

describe('hub data side: twins, grants, history, MQTT with mosquitto tools, SSE', () => {
  let t: HubTestPlatform;
  let device: SimDevice;
  let consumer: { key: string; id: string };
  let stranger: { key: string; id: string };
  let operator: { key: string; id: string };
  let admin: string;

  beforeAll(async () => {
    t = await startHubPlatform();
    admin = await t.adminToken();
    operator = await t.principal('santander', 'santander-ops', ['operator'], 'user');
    consumer = await t.principal('buyer', 'buyer-app', ['consumer']);
    stranger = await t.principal('buyer', 'buyer-other', ['consumer']);
    device = await SimDevice.create(t, 'air-1', 'santander');
  });
  afterAll(async () => {
    await device.close();
    await t.close();
  });

  const publishReadings = async (values: number[]) => {
    const client = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    for (const v of values)
      await client.publishAsync(
        `devices/${device.id}/readings`,
        Buffer.from(await device.reading(`${device.id}/weather/temperature`, v, Date.now(), 'C')),
        { qos: 1 },
      );
    await client.endAsync();
  };

  it('mosquitto_sub with a granted consumer key receives readings from a device; without a grant it is refused', async () => {
    const grant = await t.request('POST', '/api/v1/access-rules', {
      token: admin,
      body: {
        org: 'santander',
        principalId: consumer.id,
        provider: 'air-*',
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(grant.statusCode).toBe(201);
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(t.mqttPort),
      '-u',
      'x',
      '-P',
      consumer.key,
      '-t',
      'data/santander/#',
      '-C',
      '2',
      '-W',
      '20',
      '-q',
      '1',
      '-V',
      'mqttv311',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((r) => sub.on('close', r));
    await waitFor(
      async () => (t.platform.ctx.services.find(HUB_BROKER)?.connectedClients ?? 0) >= 1,
      5000,
      'subscriber',
    );
    await new Promise((r) => setTimeout(r, 300));
    await publishReadings([21.5, 22]);
    expect(await done).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { value: number; signature: string; deviceId: string });
    expect(lines.map((l) => l.value)).toEqual([21.5, 22]);
    expect(lines[0]).toMatchObject({ signature: 'verified', deviceId: 'air-1', provider: 'air-1' });

    const refused = await runTool(
      'mosquitto_sub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(t.mqttPort),
        '-u',
        'x',
        '-P',
        stranger.key,
        '-t',
        'data/santander/#',
        '-C',
        '1',
        '-W',
        '3',
        '-V',
        'mqttv311',
      ],
      6000,
    );
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/denied/i);
    const anonymous = await runTool(
      'mosquitto_sub',
      ['-h', '127.0.0.1', '-p', String(t.mqttPort), '-t', 'data/#', '-C', '1', '-W', '3'],
      6000,
    );
    expect(anonymous.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('keeps the twin: provider, services, value with signature status, filtered by permission', async () => {
    await waitFor(
      async () =>
        (
          await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature', {
            token: consumer.key,
          })
        ).json().value === 22,
      5000,
      'twin value',
    );
    const r = (
      await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature/GET', {
        headers: { 'x-api-key': consumer.key },
      })
    ).json();
    expect(r).toMatchObject({ kind: 'sensor', value: 22, signature: 'verified', metadata: { unit: 'C' } });
    const list = (await t.request('GET', '/api/v1/providers', { token: operator.key })).json() as {
      items: Array<{ provider: string; services: string[] }>;
    };
    expect(list.items.find((p) => p.provider === 'air-1')?.services).toEqual(['admin', 'weather']);
    const strangerList = (await t.request('GET', '/api/v1/providers', { token: stranger.key })).json() as {
      items: unknown[];
    };
    expect(strangerList.items).toEqual([]);
    // Another organisation's twin answers exactly as a missing one: its existence is not disclosed.
    const denied = await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature', {
      token: stranger.key,
    });
    const missing = await t.request('GET', '/api/v1/providers/air-9/services/weather/resources/temperature', {
      token: stranger.key,
    });
    expect(denied.statusCode).toBe(404);
    expect(denied.body.replace('air-1', 'X')).toBe(missing.body.replace('air-9', 'X'));
    const setLoc = await t.request('PUT', '/api/v1/providers/air-1/services/admin/resources/location', {
      token: operator.key,
      body: { value: { type: 'Point', coordinates: [-3.8, 43.46] } },
    });
    expect(setLoc.statusCode).toBe(200);
    const notSettable = await t.request('PUT', '/api/v1/providers/air-1/services/weather/resources/temperature', {
      token: operator.key,
      body: { value: 3 },
    });
    expect(notSettable.json().error.code).toBe('RESOURCE_NOT_SETTABLE');
    const consumerSet = await t.request('PUT', '/api/v1/providers/air-1/services/admin/resources/friendlyName', {
      token: consumer.key,
      body: { value: 'x' },
    });
    expect(consumerSet.statusCode).toBe(403);
  });

  it('serves history ranges, buckets and the SOXStore alias to a permitted reader only', async () => {
    await waitFor(
      async () =>
        (
          await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature/history', {
            token: consumer.key,
          })
        ).json().items?.length === 2,
      5000,
      'history',
    );
    const h = (
      await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature/history?limit=1', {
        token: consumer.key,
      })
    ).json();
    expect(h.items.map((p: { value: number }) => p.value)).toEqual([21.5]);
    const next = (
      await t.request(
        'GET',
        `/api/v1/providers/air-1/services/weather/resources/temperature/history?limit=1&cursor=${h.nextCursor}`,
        { token: consumer.key },
      )
    ).json();
    expect(next.items.map((p: { value: number }) => p.value)).toEqual([22]);
    const b = (
      await t.request(
        'GET',
        `/api/v1/providers/air-1/services/weather/resources/temperature/history?bucket=60000&from=${Date.now() - 3_600_000}`,
        { token: consumer.key },
      )
    ).json();
    expect(b.buckets.reduce((n: number, x: { count: number }) => n + x.count, 0)).toBe(2);
    const sox = (
      await t.request('GET', '/api/v1/sox/getDeviceData?node_name=air-1_data&time_from=2000-01-01T00:00:00Z', {
        token: consumer.key,
      })
    ).json();
    expect(sox.data.map((d: { typed_value: number }) => d.typed_value)).toEqual([21.5, 22]);
    expect((await t.request('GET', '/api/v1/sox/getDeviceData?node_name=air-1_data')).statusCode).toBe(401);
    expect(
      (await t.request('GET', '/api/v1/sox/getDeviceData?node_name=air-1_data', { token: stranger.key })).statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('GET', '/api/v1/providers/air-1/services/weather/resources/temperature/history?cursor=zzz', {
          token: consumer.key,
        })
      ).json().error.code,
    ).toBe('VALIDATION_FAILED');
  });

  it('streams readings over server-sent events to a permitted subscriber', async () => {
    const ctl = new AbortController();
    const res = await fetch(
      `${t.platform.url}/api/v1/subscribe?topic=${encodeURIComponent('data/santander/+/weather/#')}`,
      { headers: { 'x-api-key': consumer.key }, signal: ctl.signal },
    );
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const got = (async () => {
      while (!text.includes('"value":23')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    })();
    await publishReadings([23]);
    await got;
    ctl.abort();
    expect(text).toMatch(/event: reading/);
    const denied = await fetch(`${t.platform.url}/api/v1/subscribe?topic=data/santander/%23`, {
      headers: { 'x-api-key': stranger.key },
    });
    expect(denied.status).toBe(403);
  });

  it('refuses a device publishing elsewhere and a replayed reading, and never forwards it raw', async () => {
    const c = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('data/santander/air-1/weather/temperature', '{"value":999}', { qos: 1 });
    await closed;
    c.end(true);
    const replay = await device.reading('air-1/weather/temperature', 5);
    const c2 = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    await c2.publishAsync(`devices/${device.id}/readings`, Buffer.from(replay), { qos: 1 });
    const c3 = await connectMqtt(t.mqttPort, device.id, await device.credential(), `${device.id}-b`);
    const closed3 = new Promise<void>((r) => c3.once('close', () => r()));
    c3.publish(`devices/${device.id}/readings`, Buffer.from(replay), { qos: 1 });
    await closed3;
    c2.end(true);
    c3.end(true);
    const audit = await t.platform.ctx.iam.audit.query({ outcome: 'denied' });
    expect(audit.some((a) => a.action === 'hub:mqtt:publish-denied')).toBe(true);
    expect(audit.some((a) => a.action === 'hub:mqtt:reading-rejected')).toBe(true);
  });

  it('counts and audits a wildcard in a PUBLISH topic as a refused publish', async () => {
    const ops = await t.principal('santander', 'wild-ops', ['operator'], 'user');
    const before = (await t.platform.ctx.iam.audit.query({ action: 'hub:mqtt:publish-denied', outcome: 'denied' }))
      .length;
    const c = await connectMqtt(t.mqttPort, 'ops', ops.key);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('apps/santander/#', 'x', { qos: 0 });
    await closed;
    c.end(true);
    const after = await t.platform.ctx.iam.audit.query({ action: 'hub:mqtt:publish-denied', outcome: 'denied' });
    expect(after.length).toBe(before + 1);
    expect(after[0]!.detail).toMatchObject({ reason: expect.stringMatching(/wildcard/) });
  });
});
