import { TPM_ALG, TPM_CC, TPM_RH, TPM_ST } from '../constants.ts';
import { TpmWriter } from '../marshal.ts';
import { passwordSession, type TpmClient } from '../client.ts';
import { marshalEccPoint, parseEccPoint, parseEcdsaSignature, type EccPoint, type EcdsaSignature } from '../structures.ts';

/** A null TPMT_TK_HASHCHECK: allowed because our signing keys are unrestricted. */
function nullHashcheckTicket(w: TpmWriter): TpmWriter {
  return w.u16(TPM_ST.HASHCHECK).u32(TPM_RH.NULL).tpm2b(new Uint8Array(0));
}

/** TPM2_Sign of a SHA-256 digest with ECDSA. */
export async function sign(tpm: TpmClient, keyHandle: number, digest: Uint8Array): Promise<EcdsaSignature> {
  const w = new TpmWriter().tpm2b(digest).u16(TPM_ALG.ECDSA).u16(TPM_ALG.SHA256);
  const res = await tpm.execute(TPM_CC.Sign, {
    handles: [keyHandle],
    sessions: [passwordSession()],
    params: nullHashcheckTicket(w).toBuffer(),
  });
  return parseEcdsaSignature(res.params);
}

/** TPM2_ECDH_ZGen: the point d·Q for the key's private scalar d; its x coordinate is the shared secret Z. */
export async function ecdhZGen(tpm: TpmClient, keyHandle: number, peer: EccPoint): Promise<EccPoint> {
  const res = await tpm.execute(TPM_CC.ECDH_ZGen, {
    handles: [keyHandle],
    sessions: [passwordSession()],
    params: new TpmWriter().tpm2b(marshalEccPoint(peer)).toBuffer(),
  });
  const inner = res.params.sized('outPoint');
  const point = parseEccPoint(inner);
  inner.expectEnd('TPMS_ECC_POINT');
  return point;
}
