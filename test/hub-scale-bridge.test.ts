import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { connectMqtt, runTool, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';

describe('scale-out: two hubs sharing Redis', () => {
  let a: HubTestPlatform;
  let b: HubTestPlatform;
  let device: SimDevice;

  beforeAll(async () => {
    const redisUrl = 'redis://127.0.0.1:6379/7';
    a = await startHubPlatform({ config: { redisUrl } });
    b = await startHubPlatform({ config: { redisUrl } });
    await b.platform.ctx.iam.directory.createOrg({ id: 'santander', name: 'Santander', kind: 'city' });
    device = await SimDevice.create(b, 'scale-1', 'santander');
  });
  afterAll(async () => {
    await device.close();
    await a.close();
    await b.close();
  });

  it('a subscriber on hub A receives what a device publishes on hub B', async () => {
    const ops = await a.principal('santander', 'scale-ops', ['operator'], 'user');
    const sub = await connectMqtt(a.mqttPort, 'ops', ops.key);
    const got = new Promise<{ value: number; deviceId: string }>((resolve) =>
      sub.on('message', (_t, p) => resolve(JSON.parse(p.toString()))),
    );
    await sub.subscribeAsync('data/santander/#', { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const pub = await connectMqtt(b.mqttPort, device.id, await device.credential(), device.id);
    await pub.publishAsync(
      `devices/${device.id}/readings`,
      Buffer.from(await device.reading(`${device.id}/env/noise`, 42)),
      { qos: 1 },
    );
    expect(await got).toMatchObject({ value: 42, deviceId: 'scale-1', provider: 'scale-1' });
    await pub.endAsync();
    await sub.endAsync();
  });
});

describe('bridge to the system Mosquitto on 127.0.0.1:1883', () => {
  const prefix = `msec-test-${randomBytes(4).toString('hex')}`;
  let t: HubTestPlatform;
  let device: SimDevice;

  beforeAll(async () => {
    t = await startHubPlatform({
      data: {
        bridge: {
          url: 'mqtt://127.0.0.1:1883',
          outbound: ['data/santander/#'],
          remotePrefix: prefix,
          inbound: [`${prefix}/in/#`],
          org: 'santander',
        },
      },
    });
    device = await SimDevice.create(t, 'bridge-1', 'santander');
  });
  afterAll(async () => {
    await device.close();
    await t.close();
  });

  it('forwards verified readings out and brings a topic tree in under apps/{org}/bridge/', async () => {
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      '1883',
      '-t',
      `${prefix}/data/santander/#`,
      '-C',
      '1',
      '-W',
      '15',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((r) => sub.on('close', r));
    await new Promise((r) => setTimeout(r, 400));
    const posted = await postReading(
      t.platform.url,
      await device.reading(`${device.id}/env/temp`, 17.5),
      await device.credential(),
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(await done).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      value: 17.5,
      signature: 'verified',
      provider: 'bridge-1',
      deviceId: 'bridge-1',
    });

    const ops = await t.principal('santander', 'bridge-ops', ['operator'], 'user');
    const local = await connectMqtt(t.mqttPort, 'ops', ops.key);
    const got = new Promise<string>((resolve) =>
      local.on('message', (topic, p) => resolve(`${topic} ${p.toString()}`)),
    );
    await local.subscribeAsync('apps/santander/bridge/#', { qos: 1 });
    const pub = await runTool(
      'mosquitto_pub',
      ['-h', '127.0.0.1', '-p', '1883', '-t', `${prefix}/in/plc-1`, '-m', 'hello', '-q', '1'],
      5000,
    );
    expect(pub.code).toBe(0);
    expect(await got).toBe(`apps/santander/bridge/${prefix}/in/plc-1 hello`);
    await local.endAsync();
  });
});
