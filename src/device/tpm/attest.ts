import { createHash, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { TPM_ALG, TPM_GENERATED_VALUE, TPM_ST } from './constants.ts';
import { TpmReader } from './marshal.ts';
import { parseEcdsaSignature, parsePcrSelection, signatureToP1363, type PcrBankSelection } from './structures.ts';

/** The fields of a TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE. */
export interface QuoteAttest {
  qualifiedSigner: Buffer;
  extraData: Buffer;
  clock: bigint;
  resetCount: number;
  restartCount: number;
  safe: boolean;
  firmwareVersion: bigint;
  pcrSelect: PcrBankSelection[];
  pcrDigest: Buffer;
}

/** Parses TPMS_ATTEST bytes of a quote; anything else is ATTESTATION_MALFORMED. */
export function parseQuoteAttest(quoted: Uint8Array): QuoteAttest {
  const r = new TpmReader(Buffer.from(quoted), 'ATTESTATION_MALFORMED');
  const magic = r.u32();
  if (magic !== TPM_GENERATED_VALUE) r.fail('not TPM-generated (bad magic)');
  const type = r.u16();
  if (type !== TPM_ST.ATTEST_QUOTE) r.fail(`attestation type 0x${type.toString(16)} is not a quote`);
  const attest: QuoteAttest = {
    qualifiedSigner: r.tpm2b('qualifiedSigner', 66),
    extraData: r.tpm2b('extraData', 64),
    clock: r.u64(),
    resetCount: r.u32(),
    restartCount: r.u32(),
    safe: r.u8() !== 0,
    firmwareVersion: r.u64(),
    pcrSelect: parsePcrSelection(r),
    pcrDigest: r.tpm2b('pcrDigest', 64),
  };
  r.expectEnd('TPMS_ATTEST');
  return attest;
}

export interface VerifyQuoteInput {
  quoted: Uint8Array;
  /** Marshalled TPMT_SIGNATURE (ECDSA-SHA256) from TPM2_Quote. */
  signature: Uint8Array;
  akPublicKey: KeyObject;
  nonce: Uint8Array;
  /** Golden SHA-256 PCR values; the quote must select exactly these indices. */
  expectedPcrs: Map<number, Uint8Array>;
}

export type QuoteVerification = { ok: true; attest: QuoteAttest } | { ok: false; error: MsecError };

function fail(code: string, message: string, details?: Record<string, unknown>): QuoteVerification {
  return { ok: false, error: new MsecError(code, message, { status: 400, details }) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies a TPM quote with node:crypto only: the AK's ECDSA signature over SHA-256(quoted), that it
 * is a TPM-generated quote, that it carries our nonce, and that the PCR digest equals SHA-256 over
 * the expected PCR values in selection order. Never throws on hostile input.
 */
export function verifyQuote(input: VerifyQuoteInput): QuoteVerification {
  let p1363: Buffer | undefined;
  try {
    const sig = parseEcdsaSignature(new TpmReader(Buffer.from(input.signature), 'ATTESTATION_MALFORMED'));
    if (sig.hashAlg !== TPM_ALG.SHA256) return fail('ATTESTATION_BAD_SIGNATURE', 'quote not signed over SHA-256');
    p1363 = signatureToP1363(sig);
  } catch (err) {
    if (err instanceof MsecError) return { ok: false, error: err };
    throw err;
  }
  let signatureValid = false;
  try {
    signatureValid =
      p1363 !== undefined &&
      verify('sha256', input.quoted, { key: input.akPublicKey, dsaEncoding: 'ieee-p1363' }, p1363);
  } catch {
    signatureValid = false;
  }
  if (!signatureValid)
    return fail('ATTESTATION_BAD_SIGNATURE', 'quote signature does not verify with the attestation key');

  let attest: QuoteAttest;
  try {
    attest = parseQuoteAttest(input.quoted);
  } catch (err) {
    if (err instanceof MsecError) return { ok: false, error: err };
    throw err;
  }
  if (!sameBytes(attest.extraData, input.nonce))
    return fail('ATTESTATION_NONCE_MISMATCH', 'quote nonce differs from the challenge');

  const expectedIndices = [...input.expectedPcrs.keys()].sort((a, b) => a - b);
  const bank = attest.pcrSelect.length === 1 ? attest.pcrSelect[0] : undefined;
  if (
    !bank ||
    bank.hashAlg !== TPM_ALG.SHA256 ||
    bank.indices.length !== expectedIndices.length ||
    bank.indices.some((i, k) => i !== expectedIndices[k])
  ) {
    return fail('ATTESTATION_PCR_MISMATCH', 'quote selects different PCRs than expected', {
      quoted: attest.pcrSelect,
      expected: expectedIndices,
    });
  }
  const h = createHash('sha256');
  for (const i of bank.indices) h.update(input.expectedPcrs.get(i) ?? new Uint8Array(0));
  if (!sameBytes(h.digest(), attest.pcrDigest)) {
    return fail('ATTESTATION_PCR_MISMATCH', 'PCR values differ from the expected (golden) values');
  }
  return { ok: true, attest };
}
