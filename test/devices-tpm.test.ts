/**
 * TPM devices against swtpm: enrollment bound to the endorsement key by credential activation,
 * a key outside the TPM refused, attestation passing and failing (quarantine, refusal, release).
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../src/core/index.ts';
import { TpmKeyStore, signReading, type Reading } from '../src/device/index.ts';
import {
  attestationKeyTemplate,
  keyObjectToEccPoint,
  marshalEccPublic,
  signingKeyTemplate,
} from '../src/device/tpm/index.ts';
import {
  answerAttestation,
  createDeviceCredential,
  enrollDevice,
  enrollmentProofMessage,
} from '../src/device/index.ts';
import { securitySubject } from '../src/core/index.ts';
import { postReading, startDeviceHub, type DeviceHubFixture } from './helpers/devices.ts';
import { startSwtpm, type SwtpmInstance } from './helpers/swtpm.ts';

const META = {
  name: 'Potentiometer',
  type: 'other',
  transducers: [{ name: 'potentiometer', id: 'potentiometer', units: 'raw', minValue: 0, maxValue: 4095 }],
};

let f: DeviceHubFixture;
let swtpm: SwtpmInstance;
let tpm: TpmKeyStore;
const quarantined: BusEvent[] = [];
let counter = 1;

const reading = (deviceId: string): Reading => ({
  deviceId,
  resource: `${deviceId}/adc/potentiometer`,
  value: 2048,
  unit: 'raw',
  counter: counter++,
  timestamp: Date.now(),
});

beforeAll(async () => {
  [f, swtpm] = await Promise.all([startDeviceHub(), startSwtpm()]);
  tpm = await TpmKeyStore.open({
    stateDir: join(f.workDir, 'tpm'),
    tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port },
  });
  f.t.platform.ctx.bus.subscribe(securitySubject('hub', 'device-quarantined'), (e) => void quarantined.push(e));
});

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
  await f?.close();
});

describe('TPM enrollment', () => {
  it('enrolls a TPM device: attested, EK and AK registered, golden PCRs recorded from its quote', async () => {
    const r = await enrollDevice({
      hub: f.url,
      token: await f.token(),
      deviceId: 'pot-1',
      keyStore: tpm,
      metadata: META,
    });
    expect(r).toMatchObject({ deviceId: 'pot-1', keystore: 'tpm', attestation: 'attested' });
    const device = (await f.t.request('GET', '/api/v1/devices/pot-1', { token: f.adminToken })).json() as Record<
      string,
      any
    >;
    expect(device.tpm.ek).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(Object.keys(device.goldenPcrs).sort((a, b) => Number(a) - Number(b))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '16',
    ]);
    const pcr16 = (await tpm.readPcrs([16])).get(16)!.toString('hex');
    expect(device.goldenPcrs['16']).toBe(pcr16);
    const credential = await createDeviceCredential(tpm, 'signing', 'pot-1');
    const res = await postReading(f.url, await signReading(tpm, 'signing', 'pot-1', reading('pot-1')), credential);
    expect(res.status).toBe(202);
    expect(res.body.attestation).toBe('attested');
  });

  it('refuses a signing key that is not inside the TPM holding the EK', async () => {
    const soft = await f.softwareStore('outsider');
    const outside = await soft.ensureSigningKey('signing');
    const ak = await tpm.ensureAttestationKey('ak-outsider');
    const ek = await tpm.endorsementKey();
    const start = (
      await f.t.request('POST', '/api/v1/devices/enroll/start', { body: { token: await f.token() } })
    ).json() as { sessionId: string; nonce: string };
    const proof = await soft.sign('signing', enrollmentProofMessage(start.sessionId, start.nonce, 'outsider-1'));
    const p = keyObjectToEccPoint(outside.publicKey);
    const a = keyObjectToEccPoint(ak.publicKey);
    // The forger claims a TPM-resident public area for its software key.
    const finish = await f.t.request('POST', '/api/v1/devices/enroll/finish', {
      body: {
        sessionId: start.sessionId,
        deviceId: 'outsider-1',
        keystore: 'tpm',
        signingKey: outside.jwk,
        proof: Buffer.from(proof).toString('base64url'),
        metadata: META,
        tpm: {
          ek: ek.jwk,
          attestationKey: marshalEccPublic({ ...attestationKeyTemplate(), x: a.x, y: a.y }).toString('base64url'),
          signingKey: marshalEccPublic({ ...signingKeyTemplate(), x: p.x, y: p.y }).toString('base64url'),
        },
      },
    });
    expect(finish.statusCode).toBe(202);
    const challenge = finish.json() as {
      credentials: Record<'attestationKey' | 'signingKey', { credentialBlob: string; secret: string }>;
    };
    const akSecret = await tpm.activateCredential(
      'ak-outsider',
      Buffer.from(challenge.credentials.attestationKey.credentialBlob, 'base64url'),
      Buffer.from(challenge.credentials.attestationKey.secret, 'base64url'),
    );
    // The TPM holds no object with the claimed signing key's name: activation with any other key fails.
    await expect(
      tpm.activateCredential(
        'ak-outsider',
        Buffer.from(challenge.credentials.signingKey.credentialBlob, 'base64url'),
        Buffer.from(challenge.credentials.signingKey.secret, 'base64url'),
      ),
    ).rejects.toMatchObject({ code: 'TPM_RC_INTEGRITY' });
    const q = await tpm.quote('ak-outsider', Buffer.from(start.nonce, 'base64url'), [16]);
    const activate = await f.t.request('POST', '/api/v1/devices/enroll/activate', {
      body: {
        sessionId: start.sessionId,
        attestationKeySecret: akSecret.toString('base64url'),
        signingKeySecret: randomBytes(32).toString('base64url'),
        quote: { quoted: q.quoted.toString('base64url'), signature: q.signature.toString('base64url') },
        pcrValues: {},
      },
    });
    expect(activate.statusCode).toBe(401);
    expect(activate.json()).toMatchObject({ error: { code: 'ENROLLMENT_ACTIVATION_FAILED' } });
    expect((await f.t.request('GET', '/api/v1/devices/outsider-1', { token: f.adminToken })).statusCode).toBe(404);
  });

  it('refuses a TPM enrollment whose signing key public area is not TPM-resident', async () => {
    const soft = await f.softwareStore('outsider');
    const key = await soft.ensureSigningKey('signing');
    const start = (
      await f.t.request('POST', '/api/v1/devices/enroll/start', { body: { token: await f.token() } })
    ).json() as { sessionId: string; nonce: string };
    const proof = await soft.sign('signing', enrollmentProofMessage(start.sessionId, start.nonce, 'outsider-2'));
    const p = keyObjectToEccPoint(key.publicKey);
    const ak = keyObjectToEccPoint((await tpm.ensureAttestationKey('ak-outsider')).publicKey);
    const template = signingKeyTemplate();
    const res = await f.t.request('POST', '/api/v1/devices/enroll/finish', {
      body: {
        sessionId: start.sessionId,
        deviceId: 'outsider-2',
        keystore: 'tpm',
        signingKey: key.jwk,
        proof: Buffer.from(proof).toString('base64url'),
        metadata: META,
        tpm: {
          ek: (await tpm.endorsementKey()).jwk,
          attestationKey: marshalEccPublic({ ...attestationKeyTemplate(), x: ak.x, y: ak.y }).toString('base64url'),
          signingKey: marshalEccPublic({
            ...template,
            objectAttributes: template.objectAttributes & ~0x2,
            x: p.x,
            y: p.y,
          }).toString('base64url'),
        },
      },
    });
    expect(res.json()).toMatchObject({ error: { code: 'ENROLLMENT_TPM_INVALID' } });
  });
});

describe('remote attestation', () => {
  const challenge = () => f.t.request('POST', '/api/v1/devices/pot-1/attestation/challenge', { token: f.adminToken });
  const device = async () =>
    (await f.t.request('GET', '/api/v1/devices/pot-1', { token: f.adminToken })).json() as {
      attestation: { status: string; reason: string | null };
    };

  it('passes with unchanged PCRs', async () => {
    expect((await challenge()).statusCode).toBe(201);
    const r = await answerAttestation({ hub: f.url, deviceId: 'pot-1', keyStore: tpm });
    expect(r).toMatchObject({ ok: true, attestation: 'attested' });
    await expect(answerAttestation({ hub: f.url, deviceId: 'pot-1', keyStore: tpm })).rejects.toMatchObject({
      code: 'ATTESTATION_NO_CHALLENGE',
    });
  });

  it('a changed PCR quarantines the device: readings refused, event raised, audited; release needs a passing attestation', async () => {
    await tpm.extendPcr(16, createHash('sha256').update('unexpected firmware').digest());
    await challenge();
    const r = await answerAttestation({ hub: f.url, deviceId: 'pot-1', keyStore: tpm });
    expect(r).toMatchObject({ ok: false, attestation: 'quarantined', code: 'ATTESTATION_PCR_MISMATCH' });
    expect((await device()).attestation).toMatchObject({
      status: 'quarantined',
      reason: expect.stringContaining('ATTESTATION_PCR_MISMATCH'),
    });
    expect(quarantined.at(-1)?.data).toMatchObject({
      deviceId: 'pot-1',
      org: 'santander',
      code: 'ATTESTATION_PCR_MISMATCH',
    });
    const audit = await f.t.platform.ctx.iam.audit.query({ action: 'hub:device:attest', outcome: 'denied', limit: 1 });
    expect(audit[0]?.detail).toMatchObject({ result: 'fail', code: 'ATTESTATION_PCR_MISMATCH' });

    const credential = await createDeviceCredential(tpm, 'signing', 'pot-1');
    const refused = await postReading(f.url, await signReading(tpm, 'signing', 'pot-1', reading('pot-1')), credential);
    expect(refused.body.error?.code).toBe('DEVICE_QUARANTINED');

    const early = await f.t.request('POST', '/api/v1/devices/pot-1/release', { token: f.adminToken });
    expect(early.json()).toMatchObject({ error: { code: 'ATTESTATION_REQUIRED' } });

    // The operator accepts the new firmware measurement as golden, the device attests again, and is released.
    const pcr16 = (await tpm.readPcrs([16])).get(16)!.toString('hex');
    const golden = ((await device()) as unknown as { goldenPcrs: Record<string, string> }).goldenPcrs;
    const put = await f.t.request('PUT', '/api/v1/devices/pot-1/golden-pcrs', {
      token: f.adminToken,
      body: { pcrs: { ...golden, 16: pcr16 } },
    });
    expect(put.statusCode).toBe(200);
    await challenge();
    expect(await answerAttestation({ hub: f.url, deviceId: 'pot-1', keyStore: tpm })).toMatchObject({
      ok: true,
      attestation: 'quarantined',
    });
    expect((await f.t.request('POST', '/api/v1/devices/pot-1/release', { token: f.adminToken })).statusCode).toBe(200);
    expect((await device()).attestation.status).toBe('attested');
    const ok = await postReading(f.url, await signReading(tpm, 'signing', 'pot-1', reading('pot-1')), credential);
    expect(ok.status).toBe(202);
  });

  it('a device may only answer its own challenge, and only operators ask', async () => {
    const soft = await f.softwareStore('soft-dev');
    await enrollDevice({ hub: f.url, token: await f.token(), deviceId: 'soft-1', keyStore: soft, metadata: META });
    const softCredential = await createDeviceCredential(soft, 'signing', 'soft-1');
    const res = await f.t.request('POST', '/api/v1/devices/pot-1/attestation/challenge', { token: softCredential });
    expect(res.statusCode).toBe(403);
    const other = await f.t.request('GET', '/api/v1/devices/pot-1/attestation/challenge', { token: softCredential });
    expect(other.statusCode).toBe(403);
  });
});
