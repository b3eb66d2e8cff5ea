/**
 * The device side of the hub end to end over HTTP, on SQLite and PostgreSQL: software enrollment,
 * accepted readings, and every refusal with its code, metric, audit entry and bus event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../src/core/index.ts';
import { signReading, sealReading, type Reading, type SoftwareKeyStore } from '../src/device/index.ts';
import { createDeviceCredential, enrollDevice, rotateDeviceKey } from '../src/device/simulator/index.ts';
import { SUBJECTS, securitySubject } from '../src/core/index.ts';
import { HUB_DEVICES, type AcceptedReading, type RejectedReading } from '../src/hub/index.ts';
import { deviceMigrations } from '../src/hub/devices/index.ts';
import { iamMigrations } from '../src/iam/index.ts';
import { postReading, startDeviceHub, type DeviceHubFixture } from './helpers/devices.ts';
import { storeCases } from './helpers/stores.ts';

const META = {
  name: 'Thermometer',
  type: 'outdoor weather',
  transducers: [{ name: 'temperature', id: 'temperature', units: 'Cel', minValue: -40, maxValue: 60 }],
};

describe.each(storeCases)('device ingest over HTTP ($name)', (storeCase) => {
  let f: DeviceHubFixture;
  let cleanup: () => Promise<void>;
  let store: SoftwareKeyStore;
  let credential: string;
  let counter = 1;
  const accepted: AcceptedReading[] = [];
  const rejected: RejectedReading[] = [];
  const quarantineEvents: BusEvent[] = [];

  const reading = (over: Partial<Reading> = {}): Reading => ({
    deviceId: 'thermo-1',
    resource: 'thermo-1/weather/temperature',
    value: 21.5,
    unit: 'Cel',
    counter: counter++,
    timestamp: Date.now(),
    ...over,
  });
  const sign = (r: Reading, label = 'signing') => signReading(store, label, r.deviceId, r);

  async function expectRefused(bytes: Uint8Array, code: string, token = credential): Promise<void> {
    const res = await postReading(f.url, bytes, token);
    expect(res.body.error?.code).toBe(code);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const audit = await f.t.platform.ctx.iam.audit.query({ action: 'hub:reading:ingest', outcome: 'denied', limit: 1 });
    expect(audit[0]?.detail).toMatchObject({ code });
    expect(rejected.at(-1)?.code).toBe(code);
  }

  beforeAll(async () => {
    const opened = await storeCase.open([...iamMigrations, ...deviceMigrations]);
    cleanup = opened.cleanup;
    f = await startDeviceHub({ store: opened.store });
    const bus = f.t.platform.ctx.bus;
    bus.subscribe(SUBJECTS.readingAccepted, (e) => void accepted.push(e.data as AcceptedReading));
    bus.subscribe(SUBJECTS.readingRejected, (e) => void rejected.push(e.data as RejectedReading));
    bus.subscribe(securitySubject('hub', 'device-quarantined'), (e) => void quarantineEvents.push(e));
    store = await f.softwareStore('thermo-1');
    const r = await enrollDevice({
      hub: f.url,
      token: await f.token(),
      deviceId: 'thermo-1',
      keyStore: store,
      metadata: META,
    });
    expect(r).toMatchObject({
      deviceId: 'thermo-1',
      org: 'santander',
      keystore: 'software',
      attestation: 'unattested',
    });
    credential = await createDeviceCredential(store, 'signing', 'thermo-1');
  });

  afterAll(async () => {
    await f?.close();
    await cleanup?.();
  });

  it('registers the device with its metadata, principal and status', async () => {
    const res = await f.t.request('GET', '/api/v1/devices/thermo-1', { token: f.adminToken });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: 'thermo-1',
      org: 'santander',
      status: 'active',
      keystore: 'software',
      keyVersion: 1,
      attestation: { status: 'unattested' },
      metadata: META,
    });
    const principal = await f.t.platform.ctx.iam.directory.findByName('thermo-1');
    expect(principal).toMatchObject({ kind: 'device', roles: ['device'], orgId: 'santander' });
    const list = await f.t.request('GET', '/api/v1/devices?org=santander', { token: f.adminToken });
    expect((list.json() as { items: Array<{ id: string }> }).items.map((d) => d.id)).toEqual(['thermo-1']);
  });

  it('a token is single use and unknown tokens are refused', async () => {
    const token = await f.token();
    const other = await f.softwareStore('other');
    await enrollDevice({ hub: f.url, token, deviceId: 'other-1', keyStore: other, metadata: META });
    await expect(
      enrollDevice({ hub: f.url, token, deviceId: 'other-2', keyStore: other, metadata: META }),
    ).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
    await expect(
      enrollDevice({
        hub: f.url,
        token: 'msec_enr_' + 'A'.repeat(43),
        deviceId: 'other-3',
        keyStore: other,
        metadata: META,
      }),
    ).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
  });

  it('refuses a proof of possession made with another key', async () => {
    const start = await f.t.request('POST', '/api/v1/devices/enroll/start', { body: { token: await f.token() } });
    const { sessionId } = start.json() as { sessionId: string };
    const key = await store.ensureSigningKey('signing');
    const res = await f.t.request('POST', '/api/v1/devices/enroll/finish', {
      body: {
        sessionId,
        deviceId: 'forger-1',
        keystore: 'software',
        signingKey: key.jwk,
        proof: Buffer.alloc(64, 1).toString('base64url'),
        metadata: META,
      },
    });
    expect(res.json()).toMatchObject({ error: { code: 'ENROLLMENT_PROOF_INVALID' } });
  });

  it('accepts a signed reading (202) and publishes it', async () => {
    const r = reading();
    const res = await postReading(f.url, await sign(r), credential);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      deviceId: 'thermo-1',
      resource: 'thermo-1/weather/temperature',
      value: 21.5,
      counter: r.counter,
      attestation: 'unattested',
    });
    expect(accepted.at(-1)).toMatchObject({
      deviceId: 'thermo-1',
      org: 'santander',
      provider: 'thermo-1',
      service: 'weather',
      resource: 'temperature',
      counter: r.counter,
      transport: 'http',
      signature: 'verified',
    });
  });

  it('accepts a reading sealed to the hub key', async () => {
    const hubKey = (await (await fetch(`${f.url}/api/v1/devices/hub-key`)).json()) as {
      jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
      kid: string;
    };
    const { createPublicKey } = await import('node:crypto');
    const sealed = sealReading(await sign(reading({ value: 7 })), createPublicKey({ key: hubKey.jwk, format: 'jwk' }), {
      hubKid: hubKey.kid,
    });
    const res = await postReading(f.url, sealed, credential);
    expect(res.status).toBe(202);
    expect(res.body.value).toBe(7);
  });

  it("accepts a burst of one device's readings handed in together, in arrival order", async () => {
    // Signatures are checked in parallel on the thread pool and finish in any order; the counter
    // guard must still see them as they came, or a later counter would make earlier ones replays.
    const ingest = f.t.platform.ctx.services.get(HUB_DEVICES).ingestor;
    const burst = await Promise.all(Array.from({ length: 64 }, () => reading()).map((r) => sign(r)));
    const before = accepted.length;
    const outcomes = await Promise.allSettled(burst.map((bytes) => ingest.ingest(bytes, { transport: 'mqtt' })));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const counters = accepted.slice(before).map((a) => a.counter);
    expect(counters).toHaveLength(64);
    expect(counters).toEqual([...counters].sort((a, b) => a - b));
  });

  it('refuses a replayed reading (same counter, or lower)', async () => {
    const bytes = await sign(reading());
    expect((await postReading(f.url, bytes, credential)).status).toBe(202);
    await expectRefused(bytes, 'READING_REPLAYED');
    await expectRefused(await sign(reading({ counter: 1 })), 'READING_REPLAYED');
  });

  it('refuses a tampered signature', async () => {
    const bytes = await sign(reading());
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    await expectRefused(bytes, 'COSE_BAD_SIGNATURE');
  });

  it('refuses stale and future readings', async () => {
    await expectRefused(await sign(reading({ timestamp: Date.now() - 6 * 60_000 })), 'READING_STALE');
    await expectRefused(await sign(reading({ timestamp: Date.now() + 6 * 60_000 })), 'READING_STALE');
  });

  it('refuses a reading of an unknown device', async () => {
    await store.ensureSigningKey('stranger');
    await expectRefused(
      await signReading(store, 'stranger', 'ghost-9', reading({ deviceId: 'ghost-9', resource: 'ghost-9/a/b' })),
      'DEVICE_UNKNOWN',
    );
  });

  it('refuses readings under another provider or for another device', async () => {
    await expectRefused(await sign(reading({ resource: 'other-1/weather/temperature' })), 'READING_WRONG_PROVIDER');
    const otherStore = await f.softwareStore('other');
    const otherReading = {
      deviceId: 'other-1',
      resource: 'other-1/weather/temperature',
      value: 1,
      counter: Date.now(),
      timestamp: Date.now(),
    };
    await expectRefused(await signReading(otherStore, 'signing', 'other-1', otherReading), 'READING_SUBJECT_MISMATCH');
  });

  it('refuses garbage, oversized bodies and wrong content types without crashing', async () => {
    await expectRefused(new Uint8Array([0xd2, 0x84, 0x01]), 'COSE_MALFORMED');
    const big = await postReading(f.url, new Uint8Array(40_000), credential);
    expect(big.body.error?.code).toBe('READING_TOO_LARGE');
    const json = await fetch(`${f.url}/api/v1/readings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: '{}',
    });
    expect(json.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses readings without a device credential, or with a forged one', async () => {
    const bytes = await sign(reading());
    expect((await postReading(f.url, bytes, 'nope')).status).toBe(401);
    const parts = credential.split('.');
    const forged = `${parts[0]}.${Buffer.from(JSON.stringify({ iss: 'thermo-1', sub: 'thermo-1', aud: 'msec-hub', iat: 1, exp: 9e9 })).toString('base64url')}.${parts[2]}`;
    expect((await postReading(f.url, bytes, forged)).status).toBe(401);
  });

  it('counts refusals by code in the metrics', async () => {
    const metric = await f.t.platform.ctx.metrics.getSingleMetric('msec_hub_readings_rejected_total')!.get();
    const codes = new Set(metric.values.map((v) => v.labels.code));
    for (const code of ['READING_REPLAYED', 'COSE_BAD_SIGNATURE', 'READING_STALE', 'DEVICE_UNKNOWN'])
      expect(codes).toContain(code);
  });

  it('rotates the key: readings signed with the old key are refused as revoked', async () => {
    const old = await sign(reading());
    const version = await rotateDeviceKey({
      hub: f.url,
      deviceId: 'thermo-1',
      keyStore: store,
      currentLabel: 'signing',
      newLabel: 'signing-2',
      currentVersion: 1,
    });
    expect(version).toBe(2);
    credential = await createDeviceCredential(store, 'signing-2', 'thermo-1');
    await expectRefused(old, 'DEVICE_KEY_REVOKED');
    expect((await postReading(f.url, await sign(reading(), 'signing-2'), credential)).status).toBe(202);
  });

  it('an operator revokes the device: nothing it signs is accepted and its credential stops working', async () => {
    const bytes = await sign(reading(), 'signing-2');
    const res = await f.t.request('POST', '/api/v1/devices/thermo-1/revoke', {
      token: f.adminToken,
      body: { reason: 'stolen' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'revoked' });
    expect((await postReading(f.url, bytes, credential)).status).toBe(401);
    // Relayed by a platform admin, the reading itself is still refused for its revoked key.
    const relayed = f.t.platform.ctx.services.get(HUB_DEVICES).ingestor;
    await expect(relayed.ingest(bytes, { transport: 'http' })).rejects.toMatchObject({ code: 'DEVICE_KEY_REVOKED' });
  });

  it('software devices cannot be attested, and quarantine needs a TPM', async () => {
    const res = await f.t.request('POST', '/api/v1/devices/other-1/attestation/challenge', { token: f.adminToken });
    expect(res.json()).toMatchObject({ error: { code: 'ATTESTATION_UNSUPPORTED' } });
    expect(quarantineEvents).toHaveLength(0);
  });
});
