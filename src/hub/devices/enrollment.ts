/**
 * Enrollment: a one-time token opens a session with a hub nonce; the device proves possession of
 * its signing key by signing the nonce. A TPM device also proves that key (and its attestation
 * key) live in the TPM holding its endorsement key: the hub makes a credential for each key's
 * TPM Name (TPM2_MakeCredential in software) and only that TPM can activate both. Its first quote
 * over the nonce records the golden PCR values.
 */
import { createHash, createPublicKey, randomBytes, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { MsecError, type Clock } from '../../core/index.ts';
import { enrollmentProofMessage, makeCredential, verifyQuote } from '../../device/index.ts';
import type { Iam } from '../../iam/index.ts';
import type { EnrollmentTokens } from './enrollment-tokens.ts';
import type { HubEcdhKey } from './hub-key.ts';
import { DEVICE_ID, type DeviceMetadata, type EcJwk } from './metadata.ts';
import type { DeviceRecord, DeviceRegistry, KeyStoreKind } from './registry.ts';
import { assertAttestationKey, assertSigningKey, parseTpmKeyPublic } from './tpm-public.ts';

export const ENROLLMENT_SESSION_TTL_MS = 5 * 60 * 1000;
/** PCRs quoted at enrollment and attestation unless an operator chooses others. */
export const DEFAULT_ATTESTED_PCRS = [0, 1, 2, 3, 4, 5, 6, 7, 16];

export interface FinishInput {
  sessionId: string;
  deviceId: string;
  keystore: KeyStoreKind;
  signingKey: EcJwk;
  /** base64url ES256 (r||s) signature over enrollmentProofMessage. */
  proof: string;
  metadata: DeviceMetadata;
  tpm?: { ek: EcJwk; attestationKey: string; signingKey: string } | undefined;
}

export interface ActivateInput {
  sessionId: string;
  attestationKeySecret: string;
  signingKeySecret: string;
  quote: { quoted: string; signature: string };
  pcrValues: Record<string, string>;
}

export interface EnrolledDevice {
  status: 'enrolled';
  device: DeviceRecord;
  hubKey: { jwk: EcJwk; kid: string };
}

export interface ActivationRequired {
  status: 'activation-required';
  sessionId: string;
  pcrs: number[];
  credentials: {
    attestationKey: { credentialBlob: string; secret: string };
    signingKey: { credentialBlob: string; secret: string };
  };
}

interface PendingTpm {
  deviceId: string;
  signingKey: EcJwk;
  metadata: DeviceMetadata;
  ek: EcJwk;
  attestationKey: string;
  secretsHash: string;
  pcrs: number[];
}

function fail(code: string, message: string, status = 400): MsecError {
  return new MsecError(code, message, { status });
}

function jwkKey(jwk: EcJwk, what: string): KeyObject {
  try {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
  } catch {
    throw fail('ENROLLMENT_KEY_INVALID', `${what} is not a valid P-256 public key`);
  }
}

function b64(text: string, what: string, max = 4096): Buffer {
  if (typeof text !== 'string' || text.length > max || !/^[A-Za-z0-9_-]*$/.test(text))
    throw fail('VALIDATION_FAILED', `${what} must be base64url`);
  return Buffer.from(text, 'base64url');
}

function secretsHash(a: Uint8Array, b: Uint8Array): string {
  return createHash('sha256').update(a).update(b).digest('hex');
}

export interface EnrollmentDeps {
  registry: DeviceRegistry;
  tokens: EnrollmentTokens;
  iam: Iam;
  clock: Clock;
  hubKey: HubEcdhKey;
}

export class EnrollmentService {
  constructor(private readonly deps: EnrollmentDeps) {}

  async start(token: string): Promise<{ sessionId: string; nonce: string; expiresAt: number }> {
    const { hash } = await this.deps.tokens.check(token);
    const session = await this.deps.tokens.startSession(
      hash,
      randomBytes(32).toString('base64url'),
      ENROLLMENT_SESSION_TTL_MS,
    );
    return { sessionId: session.id, nonce: session.nonce, expiresAt: session.expiresAt };
  }

  async finish(input: FinishInput): Promise<EnrolledDevice | ActivationRequired> {
    const session = await this.deps.tokens.session(input.sessionId);
    if (session.pending !== null)
      throw fail('ENROLLMENT_SESSION_INVALID', 'this session already awaits credential activation');
    const { org } = await this.deps.tokens.checkHash(session.tokenHash);
    if (!DEVICE_ID.test(input.deviceId))
      throw fail(
        'VALIDATION_FAILED',
        'device id must be 1-64 letters, digits, . _ or -, starting with a letter or digit',
      );
    if (await this.deps.registry.get(input.deviceId))
      throw fail('DEVICE_EXISTS', `device ${input.deviceId} is already enrolled`, 409);
    const signingKey = jwkKey(input.signingKey, 'signing key');
    const proof = b64(input.proof, 'proof', 128);
    let proved = false;
    try {
      proved =
        proof.length === 64 &&
        verify(
          'sha256',
          enrollmentProofMessage(session.id, session.nonce, input.deviceId),
          { key: signingKey, dsaEncoding: 'ieee-p1363' },
          proof,
        );
    } catch {
      proved = false;
    }
    if (!proved)
      throw fail(
        'ENROLLMENT_PROOF_INVALID',
        'the proof of possession does not verify with the presented signing key',
        401,
      );

    if (input.keystore === 'software') {
      if (input.tpm) throw fail('VALIDATION_FAILED', 'a software key store enrollment carries no TPM data');
      if (!(await this.deps.tokens.endSession(session.id)))
        throw fail('ENROLLMENT_SESSION_INVALID', 'session already finished');
      return this.register(session.tokenHash, org, {
        deviceId: input.deviceId,
        keystore: 'software',
        signingKey: input.signingKey,
        metadata: input.metadata,
      });
    }

    if (!input.tpm)
      throw fail(
        'ENROLLMENT_TPM_REQUIRED',
        'a TPM enrollment must carry the EK, the attestation key and the signing key public areas',
      );
    const ek = jwkKey(input.tpm.ek, 'endorsement key');
    const ak = parseTpmKeyPublic(b64(input.tpm.attestationKey, 'attestation key'));
    assertAttestationKey(ak);
    const sk = parseTpmKeyPublic(b64(input.tpm.signingKey, 'signing key public area'));
    assertSigningKey(sk);
    if (sk.jwk.x !== input.signingKey.x || sk.jwk.y !== input.signingKey.y) {
      throw fail('ENROLLMENT_TPM_INVALID', 'the signing key public area does not hold the presented signing key');
    }
    const akSecret = randomBytes(32);
    const skSecret = randomBytes(32);
    const akCred = makeCredential(ek, akSecret, ak.name);
    const skCred = makeCredential(ek, skSecret, sk.name);
    const pending: PendingTpm = {
      deviceId: input.deviceId,
      signingKey: input.signingKey,
      metadata: input.metadata,
      ek: input.tpm.ek,
      attestationKey: input.tpm.attestationKey,
      secretsHash: secretsHash(akSecret, skSecret),
      pcrs: DEFAULT_ATTESTED_PCRS,
    };
    await this.deps.tokens.setPending(session.id, pending);
    return {
      status: 'activation-required',
      sessionId: session.id,
      pcrs: pending.pcrs,
      credentials: {
        attestationKey: {
          credentialBlob: akCred.credentialBlob.toString('base64url'),
          secret: akCred.secret.toString('base64url'),
        },
        signingKey: {
          credentialBlob: skCred.credentialBlob.toString('base64url'),
          secret: skCred.secret.toString('base64url'),
        },
      },
    };
  }

  async activate(input: ActivateInput): Promise<EnrolledDevice> {
    const session = await this.deps.tokens.session(input.sessionId);
    const pending = session.pending as PendingTpm | null;
    if (!pending) throw fail('ENROLLMENT_SESSION_INVALID', 'this session does not await credential activation');
    const { org } = await this.deps.tokens.checkHash(session.tokenHash);
    const got = Buffer.from(
      secretsHash(b64(input.attestationKeySecret, 'secret', 64), b64(input.signingKeySecret, 'secret', 64)),
      'hex',
    );
    if (!timingSafeEqual(got, Buffer.from(pending.secretsHash, 'hex'))) {
      // One try per session: a wrong answer ends it.
      await this.deps.tokens.endSession(session.id);
      throw fail(
        'ENROLLMENT_ACTIVATION_FAILED',
        'credential activation failed: the keys are not in the TPM that holds this endorsement key',
        401,
      );
    }
    const golden = new Map<number, Uint8Array>();
    for (const i of pending.pcrs) {
      const hex = input.pcrValues[String(i)];
      if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex))
        throw fail('VALIDATION_FAILED', `pcrValues must hold SHA-256 PCR ${i} as hex`);
      golden.set(i, Buffer.from(hex, 'hex'));
    }
    const ak = parseTpmKeyPublic(Buffer.from(pending.attestationKey, 'base64url'));
    const result = verifyQuote({
      quoted: b64(input.quote.quoted, 'quote'),
      signature: b64(input.quote.signature, 'quote signature'),
      akPublicKey: ak.publicKey,
      nonce: Buffer.from(session.nonce, 'base64url'),
      expectedPcrs: golden,
    });
    if (!result.ok) throw fail('ENROLLMENT_QUOTE_INVALID', `enrollment quote refused: ${result.error.message}`, 401);
    if (!(await this.deps.tokens.endSession(session.id)))
      throw fail('ENROLLMENT_SESSION_INVALID', 'session already finished');
    const goldenPcrs = Object.fromEntries([...golden].map(([i, v]) => [String(i), Buffer.from(v).toString('hex')]));
    return this.register(session.tokenHash, org, {
      deviceId: pending.deviceId,
      keystore: 'tpm',
      signingKey: pending.signingKey,
      metadata: pending.metadata,
      tpm: { ek: pending.ek, akPublic: pending.attestationKey, goldenPcrs },
    });
  }

  private async register(
    tokenHash: string,
    org: string,
    d: {
      deviceId: string;
      keystore: KeyStoreKind;
      signingKey: EcJwk;
      metadata: DeviceMetadata;
      tpm?: { ek: EcJwk; akPublic: string; goldenPcrs: Record<string, string> };
    },
  ): Promise<EnrolledDevice> {
    const { registry, tokens, iam, clock, hubKey } = this.deps;
    await tokens.consume(tokenHash);
    if (await iam.directory.findByName(d.deviceId))
      throw fail('DEVICE_ID_TAKEN', `the name ${d.deviceId} is taken by another principal`, 409);
    const principal = await iam.directory.createPrincipal({
      orgId: org,
      kind: 'device',
      name: d.deviceId,
      displayName: d.metadata.name,
      roles: ['device'],
    });
    const device = await registry.create({
      id: d.deviceId,
      org,
      principalId: principal.id,
      keystore: d.keystore,
      signingJwk: { kty: 'EC', crv: 'P-256', x: d.signingKey.x, y: d.signingKey.y },
      metadata: d.metadata,
      attestation: d.tpm ? 'attested' : 'unattested',
      goldenPcrs: d.tpm?.goldenPcrs,
      ekJwk: d.tpm?.ek,
      akPublic: d.tpm?.akPublic,
      now: clock.now(),
    });
    await iam.audit.append({
      actorId: principal.id,
      actorName: d.deviceId,
      orgId: org,
      action: 'hub:device:enroll',
      resource: `device id=${d.deviceId}`,
      outcome: 'succeeded',
      detail: { keystore: d.keystore, attestation: device.attestation },
    });
    return { status: 'enrolled', device, hubKey: { jwk: hubKey.publicJwk, kid: hubKey.kid } };
  }
}
