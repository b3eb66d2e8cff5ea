/**
 * Device side of enrollment: creates the keys in the key store, proves possession by signing the
 * hub's nonce and, with a TPM, activates the hub's credentials (proving both keys live in the TPM
 * holding the endorsement key) and sends a first quote so the hub records the golden PCR values.
 */
import { MsecError } from '../../core/errors.ts';
import { enrollmentProofMessage } from '../protocol.ts';
import type { DeviceKeyStore, PublicKeyInfo } from '../keystore/keystore.ts';
import { TpmKeyStore } from '../keystore/tpm.ts';
import {
  attestationKeyTemplate,
  keyObjectToEccPoint,
  marshalEccPublic,
  objectName,
  signingKeyTemplate,
  type EccPublicArea,
} from '../tpm/index.ts';
import { HubClient } from './hub-client.ts';

/** SOX-style description the hub validates (name, type, transducers...). */
export interface DeviceDescription {
  name: string;
  type: string;
  description?: string;
  serialNumber?: string;
  transducers: Array<{
    name: string;
    id: string;
    units?: string;
    minValue?: number;
    maxValue?: number;
    resolution?: number;
    accuracy?: number;
  }>;
  location?: { type: 'Point'; coordinates: [number, number] };
}

export const SIGNING_LABEL = 'signing';
export const ATTESTATION_LABEL = 'attestation';

export interface EnrollOptions {
  hub: string;
  token: string;
  deviceId: string;
  keyStore: DeviceKeyStore;
  metadata: DeviceDescription;
  signingLabel?: string;
  attestationLabel?: string;
}

export interface EnrollResult {
  deviceId: string;
  org: string;
  keystore: 'software' | 'tpm';
  attestation: string;
  hubKey: { jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }; kid: string };
}

interface EnrolledBody {
  status: 'enrolled';
  device: { id: string; org: string; keystore: 'software' | 'tpm'; attestation: { status: string } };
  hubKey: EnrollResult['hubKey'];
}

interface ActivationBody {
  status: 'activation-required';
  sessionId: string;
  pcrs: number[];
  credentials: Record<'attestationKey' | 'signingKey', { credentialBlob: string; secret: string }>;
}

/** The exact TPMT_PUBLIC the TPM holds for one of our keys, checked against its TPM Name. */
function publicArea(template: EccPublicArea, info: PublicKeyInfo): Buffer {
  const point = keyObjectToEccPoint(info.publicKey);
  const bytes = marshalEccPublic({ ...template, x: point.x, y: point.y });
  const name = (info as PublicKeyInfo & { name?: Buffer }).name;
  if (!name || !objectName(bytes).equals(name)) {
    throw new MsecError('KEYSTORE_TPM_KEY_INVALID', `key ${info.label} does not have the expected TPM public area`, {
      status: 500,
    });
  }
  return bytes;
}

function toResult(body: EnrolledBody): EnrollResult {
  return {
    deviceId: body.device.id,
    org: body.device.org,
    keystore: body.device.keystore,
    attestation: body.device.attestation.status,
    hubKey: body.hubKey,
  };
}

export async function enrollDevice(opts: EnrollOptions): Promise<EnrollResult> {
  const hub = new HubClient(opts.hub);
  const signingLabel = opts.signingLabel ?? SIGNING_LABEL;
  const signing = await opts.keyStore.ensureSigningKey(signingLabel);
  const started = (
    await hub.json<{ sessionId: string; nonce: string }>('POST', '/devices/enroll/start', {
      body: { token: opts.token },
    })
  ).body;
  const proof = await opts.keyStore.sign(
    signingLabel,
    enrollmentProofMessage(started.sessionId, started.nonce, opts.deviceId),
  );
  const finish: Record<string, unknown> = {
    sessionId: started.sessionId,
    deviceId: opts.deviceId,
    keystore: opts.keyStore.kind,
    signingKey: signing.jwk,
    proof: Buffer.from(proof).toString('base64url'),
    metadata: opts.metadata,
  };
  if (!(opts.keyStore instanceof TpmKeyStore)) {
    return toResult((await hub.json<EnrolledBody>('POST', '/devices/enroll/finish', { body: finish })).body);
  }
  const tpm = opts.keyStore;
  const attestationLabel = opts.attestationLabel ?? ATTESTATION_LABEL;
  const ak = await tpm.ensureAttestationKey(attestationLabel);
  const ek = await tpm.endorsementKey();
  finish.tpm = {
    ek: ek.jwk,
    attestationKey: publicArea(attestationKeyTemplate(), ak).toString('base64url'),
    signingKey: publicArea(signingKeyTemplate(), signing).toString('base64url'),
  };
  const challenge = (await hub.json<ActivationBody>('POST', '/devices/enroll/finish', { body: finish })).body;
  const activate = async (label: string, c: { credentialBlob: string; secret: string }) =>
    (
      await tpm.activateCredential(
        label,
        Buffer.from(c.credentialBlob, 'base64url'),
        Buffer.from(c.secret, 'base64url'),
      )
    ).toString('base64url');
  const attestationKeySecret = await activate(attestationLabel, challenge.credentials.attestationKey);
  const signingKeySecret = await activate(signingLabel, challenge.credentials.signingKey);
  const q = await tpm.quote(attestationLabel, Buffer.from(started.nonce, 'base64url'), challenge.pcrs);
  const pcrs = await tpm.readPcrs(challenge.pcrs);
  const enrolled = await hub.json<EnrolledBody>('POST', '/devices/enroll/activate', {
    body: {
      sessionId: started.sessionId,
      attestationKeySecret,
      signingKeySecret,
      quote: { quoted: q.quoted.toString('base64url'), signature: q.signature.toString('base64url') },
      pcrValues: Object.fromEntries([...pcrs].map(([i, v]) => [String(i), v.toString('hex')])),
    },
  });
  return toResult(enrolled.body);
}
