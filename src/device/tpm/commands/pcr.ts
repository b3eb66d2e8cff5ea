import { TPM_ALG, TPM_CC } from '../constants.ts';
import { TpmWriter } from '../marshal.ts';
import { passwordSession, type TpmClient } from '../client.ts';
import { marshalEcdsaSignature, marshalPcrSelection, parseEcdsaSignature, parsePcrSelection } from '../structures.ts';

/** TPM2_PCR_Extend of the SHA-256 bank: PCR = SHA-256(PCR || digest). */
export async function pcrExtend(tpm: TpmClient, pcrIndex: number, digest: Uint8Array): Promise<void> {
  if (digest.length !== 32) throw new RangeError('a SHA-256 PCR extend needs a 32-byte digest');
  await tpm.execute(TPM_CC.PCR_Extend, {
    handles: [pcrIndex],
    sessions: [passwordSession()],
    params: new TpmWriter().u32(1).u16(TPM_ALG.SHA256).bytes(digest).toBuffer(),
  });
}

/** TPM2_PCR_Read of SHA-256 PCRs; returns index -> value. */
export async function pcrRead(tpm: TpmClient, indices: readonly number[]): Promise<Map<number, Buffer>> {
  const values = new Map<number, Buffer>();
  let wanted = [...new Set(indices)].sort((a, b) => a - b);
  // A TPM returns at most 8 digests per call; ask again for whatever is still missing.
  while (wanted.length > 0) {
    const { params } = await tpm.execute(TPM_CC.PCR_Read, { params: marshalPcrSelection(wanted) });
    params.u32(); // pcrUpdateCounter
    const banks = parsePcrSelection(params);
    const count = params.u32();
    const returned = banks.flatMap((b) => (b.hashAlg === TPM_ALG.SHA256 ? b.indices : []));
    if (count !== returned.length || returned.length === 0)
      params.fail('PCR_Read returned an inconsistent digest list');
    for (const index of returned) values.set(index, params.tpm2b('pcr digest', 64));
    const before = wanted.length;
    wanted = wanted.filter((i) => !values.has(i));
    if (wanted.length === before) params.fail('PCR_Read made no progress');
  }
  return values;
}

export interface Quote {
  /** The TPMS_ATTEST bytes that were signed. */
  quoted: Buffer;
  /** Marshalled TPMT_SIGNATURE (ECDSA-SHA256), as it travels to a verifier. */
  signature: Buffer;
}

/** TPM2_Quote over SHA-256 PCRs with a qualifying nonce, signed by a restricted ECDSA key. */
export async function quote(
  tpm: TpmClient,
  akHandle: number,
  nonce: Uint8Array,
  pcrIndices: readonly number[],
): Promise<Quote> {
  const params = new TpmWriter()
    .tpm2b(nonce)
    .u16(TPM_ALG.ECDSA)
    .u16(TPM_ALG.SHA256)
    .bytes(marshalPcrSelection(pcrIndices))
    .toBuffer();
  const res = await tpm.execute(TPM_CC.Quote, { handles: [akHandle], sessions: [passwordSession()], params });
  const quoted = res.params.tpm2b('quoted', 1024);
  return { quoted, signature: marshalEcdsaSignature(parseEcdsaSignature(res.params)) };
}
