/** Device side of remote attestation: fetch the pending challenge, answer with a TPM quote. */
import { MsecError } from '../../core/errors.ts';
import type { TpmKeyStore } from '../keystore/tpm.ts';
import { createDeviceCredential } from './credential.ts';
import { ATTESTATION_LABEL, SIGNING_LABEL } from './enroll.ts';
import { HubClient } from './hub-client.ts';

export interface AttestOptions {
  hub: string;
  deviceId: string;
  keyStore: TpmKeyStore;
  signingLabel?: string;
  attestationLabel?: string;
}

export interface AttestResult {
  ok: boolean;
  attestation: string;
  code?: string;
  reason?: string;
}

/** Answers the pending challenge; ATTESTATION_NO_CHALLENGE if the hub asked nothing. */
export async function answerAttestation(opts: AttestOptions): Promise<AttestResult> {
  const hub = new HubClient(opts.hub);
  const token = await createDeviceCredential(opts.keyStore, opts.signingLabel ?? SIGNING_LABEL, opts.deviceId);
  const path = `/devices/${encodeURIComponent(opts.deviceId)}/attestation`;
  const challenge = (await hub.json<{ nonce: string; pcrs: number[] }>('GET', `${path}/challenge`, { token })).body;
  if (!Array.isArray(challenge.pcrs) || challenge.pcrs.some((i) => !Number.isInteger(i) || i < 0 || i > 23)) {
    throw new MsecError('ATTESTATION_MALFORMED', 'the hub sent an invalid PCR selection');
  }
  const q = await opts.keyStore.quote(
    opts.attestationLabel ?? ATTESTATION_LABEL,
    Buffer.from(challenge.nonce, 'base64url'),
    challenge.pcrs,
  );
  const res = await hub.json<AttestResult>('POST', `${path}/quote`, {
    token,
    body: {
      nonce: challenge.nonce,
      quoted: q.quoted.toString('base64url'),
      signature: q.signature.toString('base64url'),
    },
  });
  return res.body;
}
