/**
 * The hub's reading of a device TPM key's public area (TPMT_PUBLIC, ECC only). The hub needs it to
 * compute the key's TPM Name (what credential activation binds to) and to check the attributes
 * that make a key TPM-resident: fixedTPM, fixedParent and sensitiveDataOrigin (created inside the
 * TPM, never duplicable). Parsing is strict and never throws anything but ENROLLMENT_TPM_INVALID.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { MsecError } from '../../core/index.ts';
import { objectName } from '../../device/index.ts';
import type { EcJwk } from './metadata.ts';

const ALG = { SHA256: 0x000b, NULL: 0x0010, ECDSA: 0x0018, ECC: 0x0023 } as const;
const NIST_P256 = 0x0003;
export const TPMA = {
  fixedTPM: 1 << 1,
  fixedParent: 1 << 4,
  sensitiveDataOrigin: 1 << 5,
  restricted: 1 << 16,
  decrypt: 1 << 17,
  sign: 1 << 18,
} as const;
const RESIDENT = TPMA.fixedTPM | TPMA.fixedParent | TPMA.sensitiveDataOrigin;

export interface TpmKeyPublic {
  attributes: number;
  scheme: { scheme: number; hashAlg: number } | undefined;
  jwk: EcJwk;
  publicKey: KeyObject;
  /** nameAlg || SHA-256(TPMT_PUBLIC): 34 bytes. */
  name: Buffer;
}

function invalid(message: string): MsecError {
  return new MsecError('ENROLLMENT_TPM_INVALID', message, { status: 400 });
}

class Reader {
  private off = 0;
  constructor(private readonly b: Buffer) {}
  u16(): number {
    if (this.off + 2 > this.b.length) throw invalid('TPMT_PUBLIC is truncated');
    const v = this.b.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    if (this.off + 4 > this.b.length) throw invalid('TPMT_PUBLIC is truncated');
    const v = this.b.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  tpm2b(max: number): Buffer {
    const n = this.u16();
    if (n > max || this.off + n > this.b.length) throw invalid('TPMT_PUBLIC has an oversized or truncated field');
    const v = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  end(): void {
    if (this.off !== this.b.length) throw invalid('TPMT_PUBLIC has trailing bytes');
  }
}

/** Parses an ECC P-256 TPMT_PUBLIC with SHA-256 name algorithm. */
export function parseTpmKeyPublic(bytes: Uint8Array): TpmKeyPublic {
  if (bytes.length < 10 || bytes.length > 512) throw invalid('TPMT_PUBLIC has an implausible size');
  const buf = Buffer.from(bytes);
  const r = new Reader(buf);
  if (r.u16() !== ALG.ECC) throw invalid('TPM key is not an ECC key');
  if (r.u16() !== ALG.SHA256) throw invalid('TPM key name algorithm is not SHA-256');
  const attributes = r.u32();
  r.tpm2b(64); // authPolicy
  const sym = r.u16();
  if (sym !== ALG.NULL) {
    r.u16();
    r.u16();
  }
  const schemeAlg = r.u16();
  const scheme = schemeAlg === ALG.NULL ? undefined : { scheme: schemeAlg, hashAlg: r.u16() };
  if (r.u16() !== NIST_P256) throw invalid('TPM key is not on NIST P-256');
  if (r.u16() !== ALG.NULL) r.u16();
  const x = r.tpm2b(32);
  const y = r.tpm2b(32);
  r.end();
  if (x.length !== 32 || y.length !== 32) throw invalid('TPM key point is not 32-byte coordinates');
  const jwk: EcJwk = { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') };
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw invalid('TPM key point is not on P-256');
  }
  return { attributes, scheme, jwk, publicKey, name: objectName(buf) };
}

/** A key created inside the TPM that can never leave it. */
export function isTpmResident(key: TpmKeyPublic): boolean {
  return (key.attributes & RESIDENT) === RESIDENT;
}

/** Attestation key: resident, restricted ECDSA-SHA256 signing key (signs only TPM-made structures). */
export function assertAttestationKey(key: TpmKeyPublic): void {
  const ok =
    isTpmResident(key) &&
    (key.attributes & (TPMA.restricted | TPMA.sign)) === (TPMA.restricted | TPMA.sign) &&
    (key.attributes & TPMA.decrypt) === 0 &&
    key.scheme?.scheme === ALG.ECDSA &&
    key.scheme.hashAlg === ALG.SHA256;
  if (!ok) throw invalid('attestation key must be a TPM-resident restricted ECDSA-SHA256 signing key');
}

/** Reading-signing key: resident, unrestricted signing key. */
export function assertSigningKey(key: TpmKeyPublic): void {
  const ok = isTpmResident(key) && (key.attributes & TPMA.sign) !== 0 && (key.attributes & TPMA.restricted) === 0;
  if (!ok) throw invalid('signing key must be a TPM-resident (fixedTPM, fixedParent, sensitiveDataOrigin) signing key');
}
