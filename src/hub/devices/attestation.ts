/**
 * Remote attestation of TPM devices: an operator asks, the device answers with a TPM quote over
 * the hub's nonce, the hub checks it against the attestation key bound at enrollment and the
 * golden PCR values. A failure quarantines the device (readings refused, event for the monitor)
 * until an operator releases it after a passing attestation.
 */
import { randomBytes } from 'node:crypto';
import { MsecError, securitySubject, type Clock, type EventBus } from '../../core/index.ts';
import { verifyQuote } from '../../device/index.ts';
import type { AuditLog } from '../../iam/index.ts';
import type { DeviceCache } from './device-cache.ts';
import type { AttestationChallenge, DeviceRecord, DeviceRegistry } from './registry.ts';
import { parseTpmKeyPublic } from './tpm-public.ts';

export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

export interface QuoteAnswer {
  nonce: string;
  quoted: string;
  signature: string;
}

export interface AttestationOutcome {
  ok: boolean;
  attestation: DeviceRecord['attestation'];
  code?: string | undefined;
  reason?: string | undefined;
}

export interface AttestationDeps {
  registry: DeviceRegistry;
  cache: DeviceCache;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
}

function b64(text: string, what: string): Buffer {
  if (typeof text !== 'string' || text.length > 4096 || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new MsecError('VALIDATION_FAILED', `${what} must be base64url`);
  }
  return Buffer.from(text, 'base64url');
}

export function requireTpm(device: DeviceRecord): void {
  if (device.keystore !== 'tpm' || !device.akPublic) {
    throw new MsecError(
      'ATTESTATION_UNSUPPORTED',
      'software key store devices cannot be attested; they stay unattested',
      { status: 409 },
    );
  }
}

export class AttestationService {
  constructor(private readonly deps: AttestationDeps) {}

  async challenge(device: DeviceRecord): Promise<AttestationChallenge> {
    requireTpm(device);
    if (!device.goldenPcrs || Object.keys(device.goldenPcrs).length === 0) {
      throw new MsecError('ATTESTATION_NO_GOLDEN_VALUES', 'set golden PCR values first', { status: 409 });
    }
    const now = this.deps.clock.now();
    const challenge: AttestationChallenge = {
      nonce: randomBytes(32).toString('base64url'),
      pcrs: Object.keys(device.goldenPcrs)
        .map(Number)
        .sort((a, b) => a - b),
      expiresAt: now + CHALLENGE_TTL_MS,
    };
    await this.deps.registry.setChallenge(device.id, challenge, now);
    return challenge;
  }

  pending(device: DeviceRecord): AttestationChallenge {
    const c = device.challenge;
    if (!c || c.expiresAt <= this.deps.clock.now())
      throw new MsecError('ATTESTATION_NO_CHALLENGE', 'no attestation challenge is pending', { status: 404 });
    return c;
  }

  /** Checks a quote; a failure quarantines the device. Never throws for a bad quote: it reports it. */
  async answer(device: DeviceRecord, answer: QuoteAnswer): Promise<AttestationOutcome> {
    requireTpm(device);
    const challenge = this.pending(device);
    const now = this.deps.clock.now();
    let code: string | undefined;
    let reason: string | undefined;
    if (answer.nonce !== challenge.nonce) {
      code = 'ATTESTATION_NONCE_MISMATCH';
      reason = 'the answer is for another challenge';
    } else {
      const golden = new Map(
        Object.entries(device.goldenPcrs ?? {}).map(([i, hex]) => [Number(i), Buffer.from(hex, 'hex')] as const),
      );
      const result = verifyQuote({
        quoted: b64(answer.quoted, 'quoted'),
        signature: b64(answer.signature, 'signature'),
        akPublicKey: parseTpmKeyPublic(Buffer.from(device.akPublic!, 'base64url')).publicKey,
        nonce: Buffer.from(challenge.nonce, 'base64url'),
        expectedPcrs: golden,
      });
      if (!result.ok) {
        code = result.error.code;
        reason = result.error.message;
      }
    }
    const ok = code === undefined;
    if (ok) {
      // A quarantined device stays quarantined until an operator releases it.
      const attestation = device.attestation === 'quarantined' ? 'quarantined' : 'attested';
      await this.deps.registry.setAttestation(
        device.id,
        {
          attestation,
          last: { ok: true, at: now },
          challenge: null,
          ...(attestation === 'attested' ? { at: now } : {}),
        },
        now,
      );
    } else {
      await this.quarantine(device, code!, reason!, now);
    }
    this.deps.cache.invalidate(device.id);
    await this.deps.audit.append({
      actorId: device.principalId,
      actorName: device.id,
      orgId: device.org,
      action: 'hub:device:attest',
      resource: `device id=${device.id}`,
      outcome: ok ? 'succeeded' : 'denied',
      detail: ok ? { result: 'pass' } : { result: 'fail', code, reason },
    });
    const after = ok && device.attestation === 'quarantined' ? 'quarantined' : ok ? 'attested' : 'quarantined';
    return { ok, attestation: after, code, reason };
  }

  /** Quarantines a device: readings refused, its live sessions end (in every process), event for the monitor. */
  async quarantine(device: DeviceRecord, code: string, reason: string, now: number): Promise<void> {
    const text = `${code}: ${reason}`.slice(0, 500);
    await this.deps.registry.setAttestation(
      device.id,
      { attestation: 'quarantined', reason: text, at: now, last: { ok: false, at: now, code }, challenge: null },
      now,
    );
    await this.deps.bus.publish(securitySubject('hub', 'device-quarantined'), {
      deviceId: device.id,
      org: device.org,
      code,
      reason: text,
      at: now,
    });
  }

  /** Lifts a quarantine; only after a passing attestation that came after the quarantine. */
  async release(device: DeviceRecord): Promise<void> {
    if (device.attestation !== 'quarantined')
      throw new MsecError('DEVICE_NOT_QUARANTINED', 'device is not quarantined', { status: 409 });
    const last = device.lastAttestation;
    if (!last?.ok || last.at < (device.attestationAt ?? 0)) {
      throw new MsecError('ATTESTATION_REQUIRED', 'a passing attestation is required before release', { status: 409 });
    }
    const now = this.deps.clock.now();
    await this.deps.registry.setAttestation(device.id, { attestation: 'attested', reason: null, at: now }, now);
    this.deps.cache.invalidate(device.id);
  }

  async setGoldenPcrs(device: DeviceRecord, pcrs: Record<string, string>): Promise<Record<string, string>> {
    requireTpm(device);
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(pcrs)) {
      if (!/^(?:[0-9]|1[0-9]|2[0-3])$/.test(k) || typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) {
        throw new MsecError('VALIDATION_FAILED', 'golden PCRs map an index 0-23 to a SHA-256 value in hex');
      }
      clean[k] = v.toLowerCase();
    }
    if (Object.keys(clean).length === 0)
      throw new MsecError('VALIDATION_FAILED', 'at least one golden PCR value is required');
    await this.deps.registry.setGoldenPcrs(device.id, clean, this.deps.clock.now());
    this.deps.cache.invalidate(device.id);
    return clean;
  }
}
