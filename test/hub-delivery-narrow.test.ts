/**
 * Deliveries are checked per message, against a grant narrower than what is published and with a
 * second organisation beside it: an MQTT subscriber and an SSE stream on a broad filter receive
 * only what their grant covers; nobody but the hub publishes under data/; apps/ trees stay
 * within their organisation.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { mqttProbe, sseProbe, within } from './helpers/live-sessions.ts';
import { waitFor } from './helpers/net.ts';

describe('per-message delivery checks with a narrow grant and a second organisation', () => {
  let t: HubTestPlatform;
  let santanderDevice: SimDevice;
  let fujisawaDevice: SimDevice;
  let consumer: { key: string; id: string };
  let admin: string;

  beforeAll(async () => {
    t = await startHubPlatform();
    admin = await t.adminToken();
    santanderDevice = await SimDevice.create(t, `air-${randomBytes(3).toString('hex')}`, 'santander');
    fujisawaDevice = await SimDevice.create(t, `air-${randomBytes(3).toString('hex')}`, 'fujisawa');
    consumer = await t.principal('buyer', `buyer-${randomBytes(2).toString('hex')}`, ['consumer']);
    // Only NO2 of the Santander device: narrower than what it publishes (NO2 and PM10).
    const rule = await t.request('POST', '/api/v1/access-rules', {
      token: admin,
      body: {
        org: 'santander',
        principalId: consumer.id,
        provider: santanderDevice.id,
        service: 'air',
        resource: 'no2',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(rule.statusCode).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await santanderDevice?.close();
    await fujisawaDevice?.close();
    await t?.close();
  });

  it('an MQTT subscriber and an SSE stream on data/# receive only the granted resource', async () => {
    const mqtt = await mqttProbe(t.mqttPort, 'x', consumer.key, 'data/#');
    const sse = await sseProbe(t.platform.url, consumer.key, 'data/#');
    try {
      const send = async (d: SimDevice, resource: string, v: number) =>
        expect(
          (await postReading(t.platform.url, await d.reading(`${d.id}/air/${resource}`, v), await d.credential()))
            .status,
        ).toBe(202);
      // Not granted: another resource of the same device, and the other organisation's device.
      await send(santanderDevice, 'pm10', 1);
      await send(fujisawaDevice, 'no2', 2);
      // Granted, sent last: once it arrives, anything delivered before it would have arrived too.
      await send(santanderDevice, 'no2', 3);
      await waitFor(async () => mqtt.messages.length >= 1 && sse.events.length >= 1, 15_000, 'the granted reading');
      await send(santanderDevice, 'no2', 4);
      await waitFor(
        async () => mqtt.messages.length >= 2 && sse.events.length >= 2,
        15_000,
        'the second granted reading',
      );
      for (const got of [mqtt.messages, sse.events]) {
        const readings = got.map((m) => JSON.parse(m) as { value: number; deviceId: string });
        expect(readings.map((r) => r.value)).toEqual([3, 4]);
        expect(readings.every((r) => r.deviceId === santanderDevice.id)).toBe(true);
      }
    } finally {
      sse.abort();
      await mqtt.client.endAsync();
    }
  });

  it('a user or service publishing under data/ is refused and disconnected; nothing reaches subscribers', async () => {
    const op = await t.principal('santander', `ops-${randomBytes(2).toString('hex')}`, ['admin']);
    const sub = await mqttProbe(t.mqttPort, 'x', op.key, 'data/santander/#');
    const forger = await mqttProbe(t.mqttPort, 'x', op.key);
    forger.client.publish(
      `data/santander/${santanderDevice.id}/air/no2`,
      JSON.stringify({ value: 999, deviceId: santanderDevice.id }),
      { qos: 1 },
    );
    await within(forger.closed, 15_000, 'the forger connection');
    // A real reading after it shows the subscriber is live, and that the forgery never came.
    expect(
      (
        await postReading(
          t.platform.url,
          await santanderDevice.reading(`${santanderDevice.id}/air/no2`, 5),
          await santanderDevice.credential(),
        )
      ).status,
    ).toBe(202);
    await waitFor(async () => sub.messages.length >= 1, 15_000, 'the real reading');
    expect(sub.messages.map((m) => (JSON.parse(m) as { value: number }).value)).toEqual([5]);
    await sub.client.endAsync();
  });

  it('apps/ trees stay within their organisation', async () => {
    const san = await t.principal('santander', `app-${randomBytes(2).toString('hex')}`, ['consumer']);
    const fuji = await t.principal('fujisawa', `app-${randomBytes(2).toString('hex')}`, ['consumer']);
    const fujiClient = await mqttProbe(t.mqttPort, 'x', fuji.key, 'apps/fujisawa/#');
    // SUBACK 0x80: refused (mqtt.js rejects the subscription).
    await expect(fujiClient.client.subscribeAsync('apps/santander/#', { qos: 1 })).rejects.toThrow(/subscribe/i);
    const sanSub = await mqttProbe(t.mqttPort, 'x', san.key, 'apps/santander/#');
    const sanPub = await mqttProbe(t.mqttPort, 'x', san.key);
    await sanPub.client.publishAsync('apps/santander/chat', 'hola', { qos: 1 });
    const fujiPub = await mqttProbe(t.mqttPort, 'x', fuji.key);
    await fujiPub.client.publishAsync('apps/fujisawa/chat', 'konnichiwa', { qos: 1 });
    await waitFor(
      async () => sanSub.messages.length >= 1 && fujiClient.messages.length >= 1,
      15_000,
      'each org its own message',
    );
    expect(sanSub.messages).toEqual(['hola']);
    expect(fujiClient.messages).toEqual(['konnichiwa']);
    // Publishing into another organisation's tree is refused (the connection is closed).
    fujiPub.client.publish('apps/santander/chat', 'intruder', { qos: 1 });
    await within(fujiPub.closed, 15_000, 'the intruding connection');
    for (const c of [fujiClient, sanSub, sanPub]) await c.client.endAsync();
  });
});
