import { MsecError } from '../../core/index.ts';
import { EMPTY_ROOT, HASH_SIZE, isHash, nodeHash } from './hash.ts';

/**
 * RFC 9162 §2.1.3.2 and §2.1.4.2 verification, in the bit-walking form of transparency-dev/merkle.
 * Every failure is LEDGER_PROOF_INVALID: a verifier must not distinguish "malformed" from "wrong".
 */
function invalid(message: string): MsecError {
  return new MsecError('LEDGER_PROOF_INVALID', message);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

function popCount(n: bigint): number {
  let c = 0;
  for (let v = n; v > 0n; v >>= 1n) c += Number(v & 1n);
  return c;
}

function trailingZeros(n: bigint): number {
  let c = 0;
  for (let v = n; v > 0n && (v & 1n) === 0n; v >>= 1n) c++;
  return c;
}

function toSize(value: number, name: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(`${name} ${value} is not a non-negative integer`);
  return BigInt(value);
}

function checkHashes(proof: readonly unknown[]): asserts proof is readonly Uint8Array[] {
  if (proof.length > 64) throw invalid(`proof has ${proof.length} hashes, more than any tree needs`);
  for (const h of proof) if (!isHash(h)) throw invalid(`proof hash is not ${HASH_SIZE} bytes`);
}

/** Lengths of the part of the path below where it meets the right border, and of the border part. */
function decompose(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  return { inner, border: popCount(index >> BigInt(inner)) };
}

function chainInner(seed: Buffer, proof: readonly Uint8Array[], index: bigint): Buffer {
  let acc = seed;
  proof.forEach((h, i) => {
    acc = ((index >> BigInt(i)) & 1n) === 0n ? nodeHash(acc, h) : nodeHash(h, acc);
  });
  return acc;
}

function chainInnerRight(seed: Buffer, proof: readonly Uint8Array[], index: bigint): Buffer {
  let acc = seed;
  proof.forEach((h, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) acc = nodeHash(h, acc);
  });
  return acc;
}

function chainBorderRight(seed: Buffer, proof: readonly Uint8Array[]): Buffer {
  let acc = seed;
  for (const h of proof) acc = nodeHash(h, acc);
  return acc;
}

/** The root that an inclusion proof implies; throws when the proof cannot be for that position. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly unknown[],
): Buffer {
  const i = toSize(index, 'leaf index');
  const n = toSize(size, 'tree size');
  if (i >= n) throw invalid(`leaf index ${index} is not below tree size ${size}`);
  if (!isHash(leaf)) throw invalid(`leaf hash is not ${HASH_SIZE} bytes`);
  checkHashes(proof);
  const { inner, border } = decompose(i, n);
  if (proof.length !== inner + border) throw invalid(`proof has ${proof.length} hashes, expected ${inner + border}`);
  const res = chainInner(Buffer.from(leaf), proof.slice(0, inner), i);
  return chainBorderRight(res, proof.slice(inner));
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly unknown[],
  root: Uint8Array,
): void {
  if (!isHash(root)) throw invalid(`root is not ${HASH_SIZE} bytes`);
  const calculated = rootFromInclusionProof(index, size, leaf, proof);
  if (!calculated.equals(root)) throw invalid('inclusion proof does not lead to the root');
}

/** The new root that a consistency proof implies after checking it reproduces the old root. */
export function rootFromConsistencyProof(
  oldSize: number,
  newSize: number,
  proof: readonly unknown[],
  oldRoot: Uint8Array,
): Buffer {
  const m = toSize(oldSize, 'old size');
  const n = toSize(newSize, 'new size');
  checkHashes(proof);
  if (n < m) throw invalid(`new size ${newSize} is below old size ${oldSize}`);
  // Equal sizes need no proof: the roots must simply be the same bytes.
  if (m === n) {
    if (proof.length > 0) throw invalid('sizes are equal but the proof is not empty');
    if (m === 0n && !EMPTY_ROOT.equals(oldRoot)) throw invalid('the empty tree has only the empty root');
    return Buffer.from(oldRoot);
  }
  if (!isHash(oldRoot)) throw invalid(`old root is not ${HASH_SIZE} bytes`);
  if (m === 0n) throw invalid('a consistency proof from the empty tree is meaningless');
  if (proof.length === 0) throw invalid('empty consistency proof');

  const decomposed = decompose(m - 1n, n);
  const shift = trailingZeros(m);
  const inner = decomposed.inner - shift;
  // The proof starts with the hash of the old tree's last complete subtree, unless that is the old root.
  let seed = proof[0] as Uint8Array;
  let start = 1;
  if (m === 1n << BigInt(shift)) {
    seed = oldRoot;
    start = 0;
  }
  if (proof.length !== start + inner + decomposed.border) {
    throw invalid(`proof has ${proof.length} hashes, expected ${start + inner + decomposed.border}`);
  }
  const rest = proof.slice(start);
  const mask = (m - 1n) >> BigInt(shift);
  const hash1 = chainBorderRight(chainInnerRight(Buffer.from(seed), rest.slice(0, inner), mask), rest.slice(inner));
  if (!hash1.equals(oldRoot)) throw invalid('consistency proof does not reproduce the old root');
  return chainBorderRight(chainInner(Buffer.from(seed), rest.slice(0, inner), mask), rest.slice(inner));
}

export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly unknown[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): void {
  const calculated = rootFromConsistencyProof(oldSize, newSize, proof, oldRoot);
  if (!(newRoot instanceof Uint8Array) || !calculated.equals(newRoot))
    throw invalid('consistency proof does not lead to the new root');
}
