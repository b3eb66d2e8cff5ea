import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { TPM_ALG } from './constants.ts';
import { TpmReader, TpmWriter } from './marshal.ts';

/** An ECC TPMT_PUBLIC (the only key type this project uses). */
export interface EccPublicArea {
  nameAlg: number;
  objectAttributes: number;
  authPolicy: Buffer;
  /** Symmetric algorithm of a storage parent (AES-128-CFB), or undefined for TPM_ALG_NULL. */
  symmetric?: { algorithm: number; keyBits: number; mode: number };
  /** Signing/key exchange scheme, or undefined for TPM_ALG_NULL. */
  scheme?: { scheme: number; hashAlg: number };
  curveId: number;
  kdf?: { scheme: number; hashAlg: number };
  x: Buffer;
  y: Buffer;
}

export interface EccPoint {
  x: Buffer;
  y: Buffer;
}

/** TPMT_SIGNATURE for ECDSA. */
export interface EcdsaSignature {
  sigAlg: number;
  hashAlg: number;
  r: Buffer;
  s: Buffer;
}

export function marshalEccPublic(pub: EccPublicArea): Buffer {
  const w = new TpmWriter().u16(TPM_ALG.ECC).u16(pub.nameAlg).u32(pub.objectAttributes).tpm2b(pub.authPolicy);
  if (pub.symmetric) w.u16(pub.symmetric.algorithm).u16(pub.symmetric.keyBits).u16(pub.symmetric.mode);
  else w.u16(TPM_ALG.NULL);
  if (pub.scheme) w.u16(pub.scheme.scheme).u16(pub.scheme.hashAlg);
  else w.u16(TPM_ALG.NULL);
  w.u16(pub.curveId);
  if (pub.kdf) w.u16(pub.kdf.scheme).u16(pub.kdf.hashAlg);
  else w.u16(TPM_ALG.NULL);
  return w.tpm2b(pub.x).tpm2b(pub.y).toBuffer();
}

/** Parses a TPMT_PUBLIC; only ECC keys are accepted. */
export function parseEccPublic(r: TpmReader): EccPublicArea {
  const type = r.u16();
  if (type !== TPM_ALG.ECC) r.fail(`public area type 0x${type.toString(16)} is not ECC`);
  const nameAlg = r.u16();
  const objectAttributes = r.u32();
  const authPolicy = r.tpm2b('authPolicy', 64);
  const pub: EccPublicArea = {
    nameAlg,
    objectAttributes,
    authPolicy,
    curveId: 0,
    x: Buffer.alloc(0),
    y: Buffer.alloc(0),
  };
  const symAlg = r.u16();
  if (symAlg !== TPM_ALG.NULL) pub.symmetric = { algorithm: symAlg, keyBits: r.u16(), mode: r.u16() };
  const scheme = r.u16();
  if (scheme !== TPM_ALG.NULL) pub.scheme = { scheme, hashAlg: r.u16() };
  pub.curveId = r.u16();
  const kdf = r.u16();
  if (kdf !== TPM_ALG.NULL) pub.kdf = { scheme: kdf, hashAlg: r.u16() };
  const point = parseEccPoint(r);
  pub.x = point.x;
  pub.y = point.y;
  return pub;
}

/** Parses a TPM2B_PUBLIC and returns the area plus its exact marshalled bytes (needed for the Name). */
export function parseTpm2bPublic(r: TpmReader): { area: EccPublicArea; bytes: Buffer } {
  const bytes = r.tpm2b('TPM2B_PUBLIC', 1024);
  const inner = new TpmReader(bytes);
  const area = parseEccPublic(inner);
  inner.expectEnd('TPMT_PUBLIC');
  return { area, bytes };
}

export function parseEccPoint(r: TpmReader): EccPoint {
  return { x: r.tpm2b('ecc x', 66), y: r.tpm2b('ecc y', 66) };
}

export function marshalEccPoint(p: EccPoint): Buffer {
  return new TpmWriter().tpm2b(p.x).tpm2b(p.y).toBuffer();
}

/** Parses a TPMT_SIGNATURE; only ECDSA is accepted. */
export function parseEcdsaSignature(r: TpmReader): EcdsaSignature {
  const sigAlg = r.u16();
  if (sigAlg !== TPM_ALG.ECDSA) r.fail(`signature algorithm 0x${sigAlg.toString(16)} is not ECDSA`);
  const hashAlg = r.u16();
  return { sigAlg, hashAlg, r: r.tpm2b('signature r', 66), s: r.tpm2b('signature s', 66) };
}

export function marshalEcdsaSignature(sig: EcdsaSignature): Buffer {
  return new TpmWriter().u16(sig.sigAlg).u16(sig.hashAlg).tpm2b(sig.r).tpm2b(sig.s).toBuffer();
}

/** Left-pads (or strips leading zeros of) a big-endian integer to exactly `size` bytes; undefined if too large. */
export function fixedWidth(value: Buffer, size: number): Buffer | undefined {
  let v = value;
  while (v.length > size && v[0] === 0) v = v.subarray(1);
  if (v.length > size) return undefined;
  return Buffer.concat([Buffer.alloc(size - v.length), v]);
}

/** The 64-byte IEEE P1363 form (r||s) of an ECDSA P-256 signature. */
export function signatureToP1363(sig: EcdsaSignature): Buffer | undefined {
  const r = fixedWidth(sig.r, 32);
  const s = fixedWidth(sig.s, 32);
  return r && s ? Buffer.concat([r, s]) : undefined;
}

export type EcJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

export function eccPointToJwk(p: EccPoint): EcJwk {
  const x = fixedWidth(p.x, 32);
  const y = fixedWidth(p.y, 32);
  if (!x || !y) throw new RangeError('not a P-256 point');
  return { kty: 'EC', crv: 'P-256', x: x.toString('base64url'), y: y.toString('base64url') };
}

/** node:crypto public key of a P-256 point (throws if the point is not on the curve). */
export function eccPointToKeyObject(p: EccPoint): KeyObject {
  return createPublicKey({ key: eccPointToJwk(p), format: 'jwk' });
}

/** Point (32-byte coordinates) of a node:crypto P-256 public key. */
export function keyObjectToEccPoint(key: KeyObject): EccPoint {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new RangeError('not a P-256 public key');
  return { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') };
}

/** TPM object Name: nameAlg (SHA-256) || SHA-256(TPMT_PUBLIC). */
export function objectName(publicAreaBytes: Uint8Array): Buffer {
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(TPM_ALG.SHA256);
  return Buffer.concat([alg, createHash('sha256').update(publicAreaBytes).digest()]);
}

/** TPML_PCR_SELECTION with one SHA-256 bank selecting `indices` (0..23). */
export function marshalPcrSelection(indices: readonly number[], hashAlg: number = TPM_ALG.SHA256): Buffer {
  const select = Buffer.alloc(3);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i > 23) throw new RangeError(`PCR index ${i} out of range`);
    select[i >> 3] = (select[i >> 3] ?? 0) | (1 << (i & 7));
  }
  return new TpmWriter().u32(1).u16(hashAlg).u8(3).bytes(select).toBuffer();
}

export interface PcrBankSelection {
  hashAlg: number;
  /** Selected PCR indices in ascending order. */
  indices: number[];
}

export function parsePcrSelection(r: TpmReader): PcrBankSelection[] {
  const count = r.u32();
  if (count > 16) r.fail(`PCR selection count ${count} too large`);
  const banks: PcrBankSelection[] = [];
  for (let b = 0; b < count; b++) {
    const hashAlg = r.u16();
    const sizeofSelect = r.u8();
    if (sizeofSelect > 32) r.fail(`PCR select size ${sizeofSelect} too large`);
    const select = r.bytes(sizeofSelect, 'pcrSelect');
    const indices: number[] = [];
    for (let i = 0; i < sizeofSelect * 8; i++) if (((select[i >> 3] ?? 0) >> (i & 7)) & 1) indices.push(i);
    banks.push({ hashAlg, indices });
  }
  return banks;
}

/** The empty TPM2B_SENSITIVE_CREATE (no auth value, no data): keys are protected by the TPM itself. */
export function emptySensitiveCreate(): Buffer {
  return new TpmWriter().u16(4).u16(0).u16(0).toBuffer();
}
