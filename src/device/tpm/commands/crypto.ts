import { TPM_ALG, TPM_CC, TPM_RH, TPM_ST } from '../constants.ts';
import { TpmWriter } from '../marshal.ts';
import { passwordSession, type TpmClient } from '../client.ts';
import type { HmacSession } from '../hmac-session.ts';
import {
  marshalEccPoint,
  parseEccPoint,
  parseEcdsaSignature,
  type EccPoint,
  type EcdsaSignature,
} from '../structures.ts';

/** A null TPMT_TK_HASHCHECK: allowed because our signing keys are unrestricted. */
function nullHashcheckTicket(w: TpmWriter): TpmWriter {
  return w.u16(TPM_ST.HASHCHECK).u32(TPM_RH.NULL).tpm2b(new Uint8Array(0));
}

/**
 * How a key's use is authorised: a password session (empty auth value) by default, or a salted
 * HMAC session given with the key's Name, which also encrypts what the command allows.
 */
export type KeyAuthorization = { session: HmacSession; keyName: Uint8Array } | undefined;

/** TPM2_Sign of a SHA-256 digest with ECDSA. The signature is public: only the digest is encrypted. */
export async function sign(
  tpm: TpmClient,
  keyHandle: number,
  digest: Uint8Array,
  auth?: KeyAuthorization,
): Promise<EcdsaSignature> {
  const params = nullHashcheckTicket(new TpmWriter().tpm2b(digest).u16(TPM_ALG.ECDSA).u16(TPM_ALG.SHA256)).toBuffer();
  const res = auth
    ? await auth.session.execute(TPM_CC.Sign, { handles: [keyHandle], names: [auth.keyName], params, decrypt: true })
    : await tpm.execute(TPM_CC.Sign, { handles: [keyHandle], sessions: [passwordSession()], params });
  return parseEcdsaSignature(res.params);
}

/**
 * TPM2_ECDH_ZGen: the point d·Q for the key's private scalar d; its x coordinate is the shared
 * secret Z, which an HMAC session has the TPM return encrypted.
 */
export async function ecdhZGen(
  tpm: TpmClient,
  keyHandle: number,
  peer: EccPoint,
  auth?: KeyAuthorization,
): Promise<EccPoint> {
  const params = new TpmWriter().tpm2b(marshalEccPoint(peer)).toBuffer();
  const res = auth
    ? await auth.session.execute(TPM_CC.ECDH_ZGen, {
        handles: [keyHandle],
        names: [auth.keyName],
        params,
        decrypt: true,
        encrypt: true,
      })
    : await tpm.execute(TPM_CC.ECDH_ZGen, { handles: [keyHandle], sessions: [passwordSession()], params });
  const inner = res.params.sized('outPoint');
  const point = parseEccPoint(inner);
  inner.expectEnd('TPMS_ECC_POINT');
  return point;
}
