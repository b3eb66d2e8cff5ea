import { randomBytes } from 'node:crypto';
import { TPM_ALG, TPM_CC, TPM_RH, TPM_SE } from '../constants.ts';
import { TpmWriter } from '../marshal.ts';
import { passwordSession, policySession, type TpmClient } from '../client.ts';
import { flushContext } from './base.ts';

export interface StartedSession {
  handle: number;
  nonceTpm: Buffer;
}

/** TPM2_StartAuthSession, unbound and unsalted, SHA-256, no parameter encryption. */
export async function startAuthSession(tpm: TpmClient, sessionType: number): Promise<StartedSession> {
  const params = new TpmWriter()
    .tpm2b(randomBytes(32)) // nonceCaller
    .tpm2b(new Uint8Array(0)) // encryptedSalt
    .u8(sessionType)
    .u16(TPM_ALG.NULL) // symmetric
    .u16(TPM_ALG.SHA256)
    .toBuffer();
  const res = await tpm.execute(TPM_CC.StartAuthSession, {
    handles: [TPM_RH.NULL, TPM_RH.NULL],
    params,
    responseHandles: 1,
  });
  const nonceTpm = res.params.tpm2b('nonceTPM', 64);
  return { handle: res.handles[0] ?? res.params.fail('no session handle'), nonceTpm };
}

/** TPM2_PolicySecret: satisfies the policy with the (password) authorization of `authHandle`. */
export async function policySecret(tpm: TpmClient, authHandle: number, session: StartedSession): Promise<void> {
  const params = new TpmWriter()
    .tpm2b(session.nonceTpm)
    .tpm2b(new Uint8Array(0)) // cpHashA
    .tpm2b(new Uint8Array(0)) // policyRef
    .i32(0) // expiration
    .toBuffer();
  await tpm.execute(TPM_CC.PolicySecret, {
    handles: [authHandle, session.handle],
    sessions: [passwordSession()],
    params,
  });
}

/**
 * TPM2_ActivateCredential: the EK (`ekHandle`) unwraps a credential that the verifier bound to
 * the name of `activateHandle` (the AK). The EK's policy (PolicySecret endorsement) is satisfied in
 * a policy session that is always flushed afterwards.
 */
export async function activateCredential(
  tpm: TpmClient,
  activateHandle: number,
  ekHandle: number,
  credentialBlob: Uint8Array,
  secret: Uint8Array,
): Promise<Buffer> {
  const session = await startAuthSession(tpm, TPM_SE.POLICY);
  try {
    await policySecret(tpm, TPM_RH.ENDORSEMENT, session);
    const res = await tpm.execute(TPM_CC.ActivateCredential, {
      handles: [activateHandle, ekHandle],
      // continueSession clear: a successful command ends the policy session itself.
      sessions: [passwordSession(), policySession(session.handle)],
      params: new TpmWriter().tpm2b(credentialBlob).tpm2b(secret).toBuffer(),
    });
    session.handle = 0;
    return res.params.tpm2b('certInfo', 64);
  } finally {
    if (session.handle !== 0) await flushContext(tpm, session.handle).catch(() => undefined);
  }
}
