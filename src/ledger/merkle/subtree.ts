import { MsecError } from '../../core/index.ts';
import { EMPTY_ROOT, HASH_SIZE, isHash, nodeHash } from './hash.ts';
import { verifyInclusion } from './verify.ts';

/**
 * Subtree proofs of draft-ietf-plants-merkle-tree-certs §4 (the transparency-dev/merkle
 * "subtree" vectors): a subtree [start, end) is valid when start is a multiple of BIT_CEIL(end - start).
 */
function invalid(message: string): MsecError {
  return new MsecError('LEDGER_PROOF_INVALID', message);
}

function checkBounds(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isSafeInteger(v) || v < 0) throw invalid(`${name} ${v} is not a non-negative integer`);
  }
}

export function isValidSubtree(start: number, end: number): boolean {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start >= end) return false;
  let ceil = 1;
  while (ceil < end - start) ceil *= 2;
  return start % ceil === 0;
}

/** Inclusion of leaf `index` (absolute) in the subtree [start, end) whose hash is `subtreeHash`. */
export function verifySubtreeInclusion(
  index: number,
  start: number,
  end: number,
  leaf: Uint8Array,
  proof: readonly unknown[],
  subtreeHash: Uint8Array,
): void {
  checkBounds({ index, start, end });
  if (!isValidSubtree(start, end)) throw invalid(`[${start}, ${end}) is not a valid subtree`);
  if (index < start || index >= end) throw invalid(`leaf ${index} is outside [${start}, ${end})`);
  verifyInclusion(index - start, end - start, leaf, proof, subtreeHash);
}

/** Consistency of the subtree [start, end) with hash `subtreeHash` and the tree of `size` with `root`. */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  size: number,
  proof: readonly unknown[],
  subtreeHash: Uint8Array,
  root: Uint8Array,
): void {
  checkBounds({ start, end, size });
  if (!(subtreeHash instanceof Uint8Array) || !(root instanceof Uint8Array)) throw invalid('hashes must be bytes');
  // The empty subtree is trivially consistent with any tree that reaches its position.
  if (start === end && end <= size) {
    if (proof.length > 0 || !EMPTY_ROOT.equals(subtreeHash))
      throw invalid('an empty subtree needs the empty hash and no proof');
    return;
  }
  if (!isValidSubtree(start, end) || end > size)
    throw invalid(`[${start}, ${end}) is not a valid subtree of size ${size}`);
  if (proof.length > 128) throw invalid('proof is longer than any tree needs');
  for (const h of proof) if (!isHash(h)) throw invalid(`proof hash is not ${HASH_SIZE} bytes`);
  const hashes = proof as readonly Uint8Array[];

  // fn, sn, tn: the subtree's first and last leaf and the tree's last leaf, climbing one level per shift.
  let fn = BigInt(start);
  let sn = BigInt(end - 1);
  let tn = BigInt(size - 1);
  const climb = (): void => {
    fn >>= 1n;
    sn >>= 1n;
    tn >>= 1n;
  };
  if (sn === tn) {
    while (fn !== sn) climb();
  } else {
    while (fn !== sn && (sn & 1n) === 1n) climb();
  }

  let fr: Buffer;
  let rest: readonly Uint8Array[];
  if (fn === sn) {
    fr = Buffer.from(subtreeHash);
    rest = hashes;
  } else {
    const first = hashes[0];
    if (first === undefined) throw invalid('empty subtree consistency proof');
    fr = Buffer.from(first);
    rest = hashes.slice(1);
  }
  let sr = fr;
  for (const c of rest) {
    if (tn === 0n) throw invalid('proof has more hashes than the tree has levels');
    if ((sn & 1n) === 1n || sn === tn) {
      if (fn < sn) fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (sn > 0n && (sn & 1n) === 0n) climb();
    } else {
      sr = nodeHash(sr, c);
    }
    climb();
  }
  if (tn !== 0n || !fr.equals(subtreeHash) || !sr.equals(root))
    throw invalid('subtree consistency proof does not verify');
}
