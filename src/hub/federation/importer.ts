import { createPublicKey } from 'node:crypto';
import { CompactSign } from 'jose';
import { MsecError, type PlatformKey } from '../../core/index.ts';
import { verifyReading } from '../../device/index.ts';
import type { Subject } from '../../iam/index.ts';
import type { AcceptedReading } from '../contracts.ts';
import { isLive, type Agreement, type AgreementStore } from './agreements.ts';
import { covered } from './transform.ts';
import type { PushAck, PushBody, SharedReading } from './wire.ts';

export interface ImporterDeps {
  agreements: AgreementStore;
  platformKey: PlatformKey;
  now: () => number;
  /**
   * Stores and publishes a shared reading as the partner's, durably, idempotent by (origin, seq);
   * `seq` is null for window aggregates, idempotent by (device, counter = window) instead.
   */
  apply: (r: AcceptedReading, origin: string, seq: number | null, signature: string) => Promise<void>;
}

/**
 * Receives a partner's push: the caller must be the agreement's service principal, the
 * agreement live; items outside it are refused one by one (never stored). Shared resources
 * appear under the partner's namespace (`partner~provider`); kept COSE signatures are verified
 * against the exported device key and stored for anyone to re-verify.
 */
export async function applyPush(deps: ImporterDeps, subject: Subject, body: PushBody): Promise<PushAck> {
  const a = await deps.agreements.get(body.agreementId);
  if (!a || a.direction !== 'import' || a.principalId !== subject.id)
    throw new MsecError('FORBIDDEN', 'no import agreement for this partner');
  if (!isLive(a, deps.now()))
    throw new MsecError('AGREEMENT_INACTIVE', 'the agreement is revoked or expired', { status: 403 });
  let applied = 0;
  let refused = 0;
  let acked = 0;
  for (const item of body.items) {
    acked = Math.max(acked, item.seq);
    // Outside the agreement: another resource, or not the agreed form (readings, or which aggregates).
    if (
      !covered(a.resources, a.pseudonymise ? undefined : item.provider, item.service, item.resource) ||
      !agreedForm(a, item)
    ) {
      refused++;
      continue;
    }
    const signature = await checkSignature(a.keepSignatures, item);
    if (signature === 'invalid') {
      refused++;
      continue;
    }
    if (item.cose && item.deviceKey) await deps.agreements.saveDeviceKey(a.partner, item.deviceId, item.deviceKey);
    await deps.apply(
      {
        // A window aggregate is one value per device and resource: the resource is part of its
        // identity here, so that (device, counter = window) stays unique.
        deviceId: item.aggregate
          ? `${a.partner}~${item.deviceId}#${item.service}/${item.resource}`
          : `${a.partner}~${item.deviceId}`,
        org: a.localOrg,
        provider: `${a.partner}~${item.provider}`,
        service: item.service,
        resource: item.resource,
        value: item.value,
        unit: item.unit,
        timestamp: item.timestamp,
        counter: item.counter,
        receivedAt: deps.now(),
        transport: 'federation',
        signature: 'verified',
        attestation: item.attestation === 'attested' ? 'attested' : 'unattested',
        cose: signature === 'verified' && item.cose ? Buffer.from(item.cose, 'base64url') : new Uint8Array(),
      },
      a.partner,
      // Many aggregates share one push sequence (the window end): they are told apart by device and counter.
      item.aggregate ? null : item.seq,
      signature,
    );
    applied++;
  }
  const proof = await new CompactSign(
    new TextEncoder().encode(JSON.stringify({ agreementId: a.id, nonce: body.nonce, acked })),
  )
    .setProtectedHeader({ alg: 'ES256', kid: deps.platformKey.kid })
    .sign(deps.platformKey.privateKey);
  return { acked, applied, refused, proof };
}

/** Readings under a per-reading agreement; aggregates of exactly the agreed window and statistic otherwise. */
function agreedForm(a: Agreement, item: SharedReading): boolean {
  if (!a.aggregate) return item.aggregate === undefined;
  return (
    item.aggregate !== undefined &&
    item.aggregate.windowSeconds === a.aggregate.windowSeconds &&
    item.aggregate.statistic === a.aggregate.statistic &&
    typeof item.value === 'number'
  );
}

/** `verified`: the device signature checks and matches the item; `partner`: vouched by the partner hub only. */
async function checkSignature(keep: boolean, item: SharedReading): Promise<'verified' | 'partner' | 'invalid'> {
  if (!keep || !item.cose || !item.deviceKey) return 'partner';
  try {
    const key = createPublicKey({ key: item.deviceKey, format: 'jwk' });
    const { reading } = await verifyReading(Buffer.from(item.cose, 'base64url'), () => key);
    const same =
      reading.deviceId === item.deviceId &&
      reading.counter === item.counter &&
      reading.value === item.value &&
      reading.timestamp === item.timestamp &&
      reading.resource === `${item.provider}/${item.service}/${item.resource}`;
    return same ? 'verified' : 'invalid';
  } catch {
    return 'invalid';
  }
}
