import { TPM_ALG, TPM_CC, TPM_RH } from '../constants.ts';
import { isTpmRc } from '../errors.ts';
import { TpmWriter } from '../marshal.ts';
import type { TpmClient } from '../client.ts';

export const TPM_SU_CLEAR = 0;

/** TPM2_Startup(CLEAR); TPM_RC_INITIALIZE (already started) is not an error. */
export async function startup(tpm: TpmClient): Promise<void> {
  try {
    await tpm.execute(TPM_CC.Startup, { params: new TpmWriter().u16(TPM_SU_CLEAR).toBuffer() });
  } catch (err) {
    if (!isTpmRc(err, 'INITIALIZE')) throw err;
  }
}

export async function selfTest(tpm: TpmClient, fullTest = false): Promise<void> {
  await tpm.execute(TPM_CC.SelfTest, { params: Buffer.from([fullTest ? 1 : 0]) });
}

/** TPM2_GetRandom; the TPM may return fewer bytes than asked, so this loops. */
export async function getRandom(tpm: TpmClient, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < count) {
    const ask = Math.min(count - have, 32);
    const { params } = await tpm.execute(TPM_CC.GetRandom, { params: new TpmWriter().u16(ask).toBuffer() });
    const bytes = params.tpm2b('randomBytes', ask);
    if (bytes.length === 0) params.fail('TPM returned no random bytes');
    parts.push(bytes);
    have += bytes.length;
  }
  return Buffer.concat(parts);
}

/** TPM2_Hash (SHA-256, null hierarchy: no ticket needed for unrestricted keys). Data up to 1024 bytes. */
export async function hashInTpm(tpm: TpmClient, data: Uint8Array): Promise<Buffer> {
  const params = new TpmWriter().tpm2b(data).u16(TPM_ALG.SHA256).u32(TPM_RH.NULL).toBuffer();
  const res = await tpm.execute(TPM_CC.Hash, { params });
  return res.params.tpm2b('outHash', 64);
}

/** Frees a transient object or session (no resource manager cleans up after us on swtpm). */
export async function flushContext(tpm: TpmClient, handle: number): Promise<void> {
  await tpm.execute(TPM_CC.FlushContext, { params: new TpmWriter().u32(handle).toBuffer() });
}
