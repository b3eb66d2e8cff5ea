import { MsecError } from '../../core/index.ts';
import { EMPTY_ROOT, nodeHash } from './hash.ts';
import { completeNodes, consistencyRanges, inclusionRanges, type NodeId, type Range } from './ranges.ts';

/** Combines the hashes of a range's complete subtrees (left to right) into the range's MTH. */
export function combineNodes(hashes: readonly Uint8Array[]): Buffer {
  const last = hashes[hashes.length - 1];
  if (last === undefined) return EMPTY_ROOT;
  let acc: Buffer = Buffer.from(last);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Uint8Array, acc);
  return acc;
}

/** MTH(D[start:end]) computed from leaf hashes (RFC 9162 §2.1.1). */
function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  if (end - start === 0) return EMPTY_ROOT;
  if (end - start === 1) return Buffer.from(leaves[start] as Uint8Array);
  let k = 1;
  while (k * 2 < end - start) k *= 2;
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** Root of the tree whose leaves have these hashes. */
export function rootOf(leafHashes: readonly Uint8Array[]): Buffer {
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

function checkSize(size: number, max: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > max) {
    throw new MsecError('LEDGER_SIZE_INVALID', `tree size ${size} is not between 0 and ${max}`);
  }
}

/** Inclusion proof of leaf `index` in the tree formed by the first `size` leaves. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, size = leafHashes.length): Buffer[] {
  checkSize(size, leafHashes.length);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new MsecError('LEDGER_INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`);
  }
  return inclusionRanges(index, size).map((r) => subtreeRoot(leafHashes, r.start, r.end));
}

/** Consistency proof between the trees of the first `oldSize` and `newSize` leaves. */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  oldSize: number,
  newSize = leafHashes.length,
): Buffer[] {
  checkSize(newSize, leafHashes.length);
  checkSize(oldSize, newSize);
  if (oldSize === 0 || oldSize === newSize) return [];
  return consistencyRanges(oldSize, newSize).map((r) => subtreeRoot(leafHashes, r.start, r.end));
}

/** Every stored node needed to answer a set of ranges, deduplicated, in first-use order. */
export function nodesForRanges(ranges: readonly Range[]): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const r of ranges) {
    for (const n of completeNodes(r)) {
      const key = `${n.level}:${n.index}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(n);
      }
    }
  }
  return out;
}
