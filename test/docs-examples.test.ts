/**
 * The worked examples of docs/device-protocol.md and docs/wire-format.md, read from the markdown and
 * sent to a running hub: the documented key is enrolled with a statement built as the page says,
 * the documented credential authenticates over HTTP and MQTT, and the documented signed reading is
 * accepted. The hub's clock is set near the examples' timestamps so they are fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../src/core/index.ts';
import { connectMqtt, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { docBlock, docFields, hexBytes, readDoc } from './helpers/doc-blocks.ts';

const protocol = readDoc('device-protocol.md');
const wire = readDoc('wire-format.md');
const key = docFields(docBlock(protocol, 'example-device-key'));
const b64u = (hex: string) => hexBytes(hex).toString('base64url');
const jwk = { kty: 'EC', crv: 'P-256', x: b64u(key.x!), y: b64u(key.y!) } as const;
const privateKey: KeyObject = createPrivateKey({ key: { ...jwk, d: b64u(key.d!) }, format: 'jwk' });
const publicKey: KeyObject = createPublicKey({ key: jwk, format: 'jwk' });
const reading = JSON.parse(docBlock(wire, 'example-reading')) as {
  deviceId: string;
  resource: string;
  counter: number;
  timestamp: number;
};
const credential = docBlock(protocol, 'example-credential').trim();

/** The statement exactly as device-protocol.md section 1 step 3 describes it. */
const statement = (sessionId: string, nonce: string, deviceId: string) =>
  Buffer.from(['msec-enroll-v1', sessionId, nonce, deviceId].join('\n'), 'utf8');

describe('documented examples, offline', () => {
  it('the documented statement is the documented rule applied to the documented inputs, and the proof verifies', () => {
    const inputs = docFields(docBlock(protocol, 'example-enroll-inputs'));
    const documented = hexBytes(docBlock(protocol, 'example-enroll-statement'));
    expect(documented.equals(statement(inputs.sessionId!, inputs.nonce!, inputs.deviceId!))).toBe(true);
    const proof = Buffer.from(docBlock(protocol, 'example-enroll-proof').trim(), 'base64url');
    expect(proof.length).toBe(64);
    expect(verify('sha256', documented, { key: publicKey, dsaEncoding: 'ieee-p1363' }, proof)).toBe(true);
    const tampered = Buffer.from(documented);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect(verify('sha256', tampered, { key: publicKey, dsaEncoding: 'ieee-p1363' }, proof)).toBe(false);
  });

  it('the documented credential carries the documented header and claims', () => {
    const [h, c] = credential.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({
      alg: 'ES256',
      typ: 'msec-device+jwt',
      kid: reading.deviceId,
    });
    const claims = JSON.parse(Buffer.from(c!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: reading.deviceId, sub: reading.deviceId, aud: 'msec-hub' });
  });
});

describe('documented examples, accepted by a running hub', () => {
  let t: HubTestPlatform;
  // The hub's clock runs from one second after the example reading's timestamp.
  const offset = Date.now() - (reading.timestamp + 1000);
  const clock: Clock = { now: () => Date.now() - offset };

  beforeAll(async () => {
    t = await startHubPlatform({ clock });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.platform.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('enrolls the documented key, then takes the documented credential and reading', async () => {
    const token = await t.enrollmentToken('santander');
    const start = await post('/devices/enroll/start', { token });
    expect(start.status).toBe(200);
    const { sessionId, nonce } = (await start.json()) as { sessionId: string; nonce: string };
    const proof = sign('sha256', statement(sessionId, nonce, reading.deviceId), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    const finish = await post('/devices/enroll/finish', {
      sessionId,
      deviceId: reading.deviceId,
      keystore: 'software',
      signingKey: jwk,
      proof,
      metadata: { name: 'Temperature sensor 42', type: 'other', transducers: [] },
    });
    expect(finish.status, await finish.clone().text()).toBe(201);
    expect(((await finish.json()) as { device: { id: string; org: string } }).device).toMatchObject({
      id: reading.deviceId,
      org: 'santander',
    });

    const signed = hexBytes(docBlock(wire, 'example-signed-reading'));
    const res = await fetch(`${t.platform.url}/api/v1/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/cose' },
      body: signed,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toMatchObject({
      deviceId: reading.deviceId,
      resource: reading.resource,
      counter: reading.counter,
      timestamp: reading.timestamp,
    });

    // Replayed: the same bytes again are refused as the error table says.
    const again = await fetch(`${t.platform.url}/api/v1/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/cose' },
      body: signed,
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('READING_REPLAYED');
  }, 60_000);

  it('logs the documented device in over MQTT with the documented credential', async () => {
    const c = await connectMqtt(t.mqttPort, reading.deviceId, credential);
    await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }, 30_000);

  it('refuses an MQTT login whose credential is for another device', async () => {
    await expect(connectMqtt(t.mqttPort, 'santander-0043', credential)).rejects.toThrow();
  }, 30_000);
});
