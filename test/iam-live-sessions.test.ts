/**
 * Rights end when they are taken away, everywhere at once: a change made through hub A (demotion,
 * disable, delete, password change, logout, API key or device revocation, quarantine) refuses the
 * old credential on HTTP and ends the live MQTT and SSE sessions held on hub B, which learns of it
 * only over the bus. On SQLite and PostgreSQL, with the in-process bus and with NATS.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'nats';
import { ManualClock, MemoryBus, type EventBus } from '../src/core/index.ts';
import { NatsBus } from '../src/core/bus/nats.ts';
import { iamMigrations } from '../src/iam/index.ts';
import { HUB_GRANTS } from '../src/hub/index.ts';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { adminPassword, mqttProbe, sseProbe, startHub, stopHub, within, type Hub } from './helpers/live-sessions.ts';
import { waitFor } from './helpers/net.ts';
import { storeCases } from './helpers/stores.ts';

const NATS_URL = process.env.MSEC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** A bound for "ends at once" generous enough for a loaded CI machine; sessions end in milliseconds to ~2 s here. */
const ENDS_WITHIN_MS = 20_000;

interface BusPair {
  a: EventBus;
  b: EventBus;
  cleanup(): Promise<void>;
}

const buses: Array<{ name: string; open(): Promise<BusPair> }> = [
  {
    name: 'in-process bus',
    open: async () => {
      const bus = new MemoryBus();
      return { a: bus, b: bus, cleanup: async () => undefined };
    },
  },
  {
    name: 'NATS',
    open: async () => {
      const prefix = `live${randomBytes(4).toString('hex')}`;
      const stream = `LIVE_${prefix.toUpperCase()}`;
      const a = await NatsBus.connect({ url: NATS_URL, prefix, stream, maxAgeSeconds: 60 });
      const b = await NatsBus.connect({ url: NATS_URL, prefix, stream, maxAgeSeconds: 60 });
      return {
        a,
        b,
        cleanup: async () => {
          const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
          await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
          await nc.close();
        },
      };
    },
  },
];

const cases = storeCases.flatMap((store) => buses.map((bus) => ({ store, bus, name: `${store.name}, ${bus.name}` })));

describe.each(cases)('live sessions end with their rights ($name)', ({ store: storeCase, bus: busCase }) => {
  let a: Hub;
  let b: Hub;
  let admin: string;
  let device: SimDevice;
  let busPair: BusPair;
  let storeCleanup: () => Promise<void>;
  let n = 0;

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    storeCleanup = opened.cleanup;
    busPair = await busCase.open();
    a = await startHub({ store: opened.store, bus: busPair.a });
    b = await startHub({ store: opened.store, bus: busPair.b, keysFrom: a.dataDir });
    admin = (await a.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: adminPassword(a) } }))
      .body.accessToken;
    expect(
      (
        await a.api('POST', '/api/v1/orgs', {
          token: admin,
          body: { id: 'santander', name: 'Santander', kind: 'city' },
        })
      ).status,
    ).toBe(201);
    device = await SimDevice.create(
      { platform: a.platform, enrollmentToken } as never,
      `air-${randomBytes(3).toString('hex')}`,
      'santander',
    );
  }, 60_000);

  afterAll(async () => {
    await device?.close();
    await stopHub(b);
    await stopHub(a);
    await busPair?.cleanup();
    await storeCleanup?.();
  });

  async function enrollmentToken(org: string): Promise<string> {
    const r = await a.api('POST', '/api/v1/devices/enrollment-tokens', { token: admin, body: { org, maxUses: 1 } });
    if (r.status !== 201) throw new Error(`enrollment token: ${r.status}`);
    return r.body.token as string;
  }

  /** A Santander user (org admin or consumer) who may read every Santander reading. */
  async function user(roles: string[]): Promise<{ id: string; token: string; refreshToken: string; password: string }> {
    const name = `u${++n}-${randomBytes(2).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await a.api('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'santander', kind: 'user', name, roles, password },
    });
    expect(created.status).toBe(201);
    const rule = await a.api('POST', '/api/v1/access-rules', {
      token: admin,
      body: {
        org: 'santander',
        principalId: created.body.id,
        provider: '*',
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(rule.status).toBe(201);
    // B mirrors access rules from the store every few seconds; do not wait for it.
    await b.platform.ctx.services.get(HUB_GRANTS).reload();
    const login = await b.api('POST', '/api/v1/auth/login', { body: { username: name, password } });
    expect(login.status).toBe(200);
    return { id: created.body.id, token: login.body.accessToken, refreshToken: login.body.refreshToken, password };
  }

  /** Opens an MQTT subscription and an SSE stream on hub B and shows both receive a reading. */
  async function liveOnB(token: string) {
    const mqtt = await mqttProbe(b.mqttPort, 'user', token, 'data/santander/#');
    const sse = await sseProbe(b.url, token, 'data/santander/#');
    const r = await postReading(b.url, await device.reading(`${device.id}/air/no2`, ++n), await device.credential());
    expect(r.status).toBe(202);
    await waitFor(
      async () => mqtt.messages.length >= 1 && sse.events.length >= 1,
      15_000,
      'the reading on MQTT and SSE',
    );
    return { mqtt, sse };
  }

  async function expectEnded(live: Awaited<ReturnType<typeof liveOnB>>, oldToken: string, code: string) {
    await within(live.mqtt.closed, ENDS_WITHIN_MS, 'MQTT session');
    const text = await within(live.sse.ended, ENDS_WITHIN_MS, 'SSE stream');
    expect(text).toMatch(/event: end\ndata: \{"reason":"[A-Z_a-z ]+"\}/);
    const http = await b.api('GET', '/api/v1/me', { token: oldToken });
    expect(http.status).toBe(401);
    expect(http.body.error.code).toBe(code);
    // Not even a new connection with the old credential.
    await expect(mqttProbe(b.mqttPort, 'user', oldToken)).rejects.toThrow();
  }

  it('a demoted organisation admin loses its rights at once and cannot give them back to itself', async () => {
    const u = await user(['admin']);
    expect((await b.api('GET', '/api/v1/principals?org=santander', { token: u.token })).status).toBe(200);
    const live = await liveOnB(u.token);
    expect(
      (await a.api('PATCH', `/api/v1/principals/${u.id}`, { token: admin, body: { roles: ['consumer'] } })).status,
    ).toBe(200);
    await expectEnded(live, u.token, 'TOKEN_REVOKED');
    const self = await b.api('PATCH', `/api/v1/principals/${u.id}`, { token: u.token, body: { roles: ['admin'] } });
    expect(self.status).toBe(401);
    // Logged in again, it holds what it holds now: a consumer, who can neither list nor raise itself.
    const again = (
      await b.api('POST', '/api/v1/auth/login', {
        body: {
          username: (await a.api('GET', `/api/v1/principals/${u.id}`, { token: admin })).body.name,
          password: u.password,
        },
      })
    ).body.accessToken as string;
    expect((await b.api('GET', '/api/v1/principals?org=santander', { token: again })).status).toBe(403);
    expect(
      (await b.api('PATCH', `/api/v1/principals/${u.id}`, { token: again, body: { roles: ['admin'] } })).status,
    ).toBe(403);
    expect((await a.api('GET', `/api/v1/principals/${u.id}`, { token: admin })).body.roles).toEqual(['consumer']);
    // Its old refresh token is void as well.
    expect((await b.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: u.refreshToken } })).status).toBe(401);
  });

  it('an organisation admin cannot change its own roles, nor grant a role it does not hold', async () => {
    const u = await user(['admin']);
    const self = await b.api('PATCH', `/api/v1/principals/${u.id}`, {
      token: u.token,
      body: { roles: ['admin', 'operator'] },
    });
    expect(self.status).toBe(409);
    const op = await user(['operator']);
    const other = await user(['consumer']);
    // An operator cannot update principals at all; the policy refuses before the role check.
    expect(
      (await b.api('PATCH', `/api/v1/principals/${other.id}`, { token: op.token, body: { roles: ['admin'] } })).status,
    ).toBe(403);
    expect((await a.api('GET', `/api/v1/principals/${other.id}`, { token: admin })).body.roles).toEqual(['consumer']);
  });

  it('disabling a user ends its sessions', async () => {
    const u = await user(['consumer']);
    const live = await liveOnB(u.token);
    expect(
      (await a.api('PATCH', `/api/v1/principals/${u.id}`, { token: admin, body: { disabled: true } })).status,
    ).toBe(200);
    await expectEnded(live, u.token, 'TOKEN_REVOKED');
  });

  it('deleting a user ends its sessions', async () => {
    const u = await user(['consumer']);
    const live = await liveOnB(u.token);
    expect((await a.api('DELETE', `/api/v1/principals/${u.id}`, { token: admin })).status).toBe(204);
    await expectEnded(live, u.token, 'TOKEN_REVOKED');
    expect((await a.api('GET', `/api/v1/principals/${u.id}`, { token: admin })).status).toBe(404);
  });

  it('a password change ends every session of the user', async () => {
    const u = await user(['consumer']);
    const live = await liveOnB(u.token);
    expect(
      (
        await a.api('PUT', `/api/v1/principals/${u.id}/password`, {
          token: admin,
          body: { password: 'a-new-password-1234' },
        })
      ).status,
    ).toBe(204);
    await expectEnded(live, u.token, 'TOKEN_REVOKED');
  });

  it('logout ends the sessions of that token and its refresh family', async () => {
    const u = await user(['consumer']);
    const live = await liveOnB(u.token);
    expect((await a.api('POST', '/api/v1/auth/logout', { token: u.token })).status).toBe(204);
    await expectEnded(live, u.token, 'TOKEN_REVOKED');
    expect((await b.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: u.refreshToken } })).status).toBe(401);
  });

  it('a revoked API key ends the sessions opened with it', async () => {
    const u = await user(['consumer']);
    const created = await a.api('POST', '/api/v1/api-keys', {
      token: admin,
      body: { name: 'feed', principalId: u.id },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const live = await liveOnB(key);
    expect((await a.api('DELETE', `/api/v1/api-keys/${created.body.info.id}`, { token: admin })).status).toBe(204);
    await expectEnded(live, key, 'TOKEN_REVOKED');
  });

  it('revoking a device ends its MQTT session; quarantining another ends its session too', async () => {
    const conn = await mqttProbe(b.mqttPort, device.id, await device.credential());
    const other = await SimDevice.create(
      { platform: a.platform, enrollmentToken } as never,
      `air-${randomBytes(3).toString('hex')}`,
      'santander',
    );
    try {
      const otherConn = await mqttProbe(b.mqttPort, other.id, await other.credential());
      const record = (await a.devices.registry.get(other.id))!;
      await a.devices.attestation.quarantine(record, 'ATTESTATION_PCR_MISMATCH', 'test', Date.now());
      await within(otherConn.closed, ENDS_WITHIN_MS, 'quarantined device session');
      await expect(mqttProbe(b.mqttPort, other.id, await other.credential())).rejects.toThrow();
      expect(conn.client.connected).toBe(true);
      expect(
        (await a.api('POST', `/api/v1/devices/${device.id}/revoke`, { token: admin, body: { reason: 'stolen' } }))
          .status,
      ).toBe(200);
      await within(conn.closed, ENDS_WITHIN_MS, 'revoked device session');
      await expect(mqttProbe(b.mqttPort, device.id, await device.credential())).rejects.toThrow();
    } finally {
      await other.close();
    }
  });
});

describe.each(storeCases)('live sessions end when their credential expires ($name)', (storeCase) => {
  let hub: Hub;
  let storeCleanup: () => Promise<void>;
  // Set when this block starts, not when the file is collected: device credentials carry the real
  // time, and on a loaded machine the blocks before this one can take longer than the skew tolerated.
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    const opened = await storeCase.open(iamMigrations);
    storeCleanup = opened.cleanup;
    hub = await startHub({ store: opened.store, bus: new MemoryBus(), clock });
  }, 60_000);

  afterAll(async () => {
    await stopHub(hub);
    await storeCleanup?.();
  });

  it('an access token and a device credential that expire end their MQTT and SSE sessions', async () => {
    const admin = (
      await hub.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: adminPassword(hub) } })
    ).body.accessToken as string;
    expect(
      (
        await hub.api('POST', '/api/v1/orgs', {
          token: admin,
          body: { id: 'santander', name: 'Santander', kind: 'city' },
        })
      ).status,
    ).toBe(201);
    const enrollmentToken = async (org: string) =>
      (await hub.api('POST', '/api/v1/devices/enrollment-tokens', { token: admin, body: { org, maxUses: 1 } })).body
        .token as string;
    const device = await SimDevice.create(
      { platform: hub.platform, enrollmentToken } as never,
      `air-${randomBytes(3).toString('hex')}`,
      'santander',
    );
    try {
      const userMqtt = await mqttProbe(hub.mqttPort, 'admin', admin, 'data/santander/#');
      const userSse = await sseProbe(hub.url, admin, 'data/santander/#');
      const deviceMqtt = await mqttProbe(hub.mqttPort, device.id, await device.credential(60));
      // Still valid a moment before the access token's expiry (900 s): nothing ends.
      clock.advance(890_000);
      await hub.platform.ctx.iam.sessions.sweep();
      expect(userMqtt.client.connected).toBe(true);
      expect((await hub.api('GET', '/api/v1/me', { token: admin })).status).toBe(200);
      // The device credential (60 s, plus 60 s of tolerated skew) has expired by now: only the device goes.
      await within(deviceMqtt.closed, ENDS_WITHIN_MS, 'device session after expiry');
      expect(userMqtt.client.connected).toBe(true);
      clock.advance(20_000);
      await within(userMqtt.closed, ENDS_WITHIN_MS, 'MQTT session after expiry');
      expect(await within(userSse.ended, ENDS_WITHIN_MS, 'SSE stream after expiry')).toContain('TOKEN_EXPIRED');
      expect((await hub.api('GET', '/api/v1/me', { token: admin })).body.error.code).toBe('TOKEN_EXPIRED');
    } finally {
      await device.close();
    }
  });
});
