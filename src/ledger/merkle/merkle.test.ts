import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.ts';
import { combineNodes, consistencyProof, inclusionProof, nodesForRanges, rootOf } from './tree.ts';
import { completeNodes, consistencyRanges, inclusionRanges } from './ranges.ts';
import { verifyConsistency, verifyInclusion } from './verify.ts';

const leavesArb = (min = 1, max = 70): fc.Arbitrary<Buffer[]> =>
  fc
    .array(fc.uint8Array({ maxLength: 8 }), { minLength: min, maxLength: max })
    .map((ds) => ds.map((d, i) => leafHash(Buffer.concat([Buffer.from(String(i)), d]))));

function flipBit(buf: Uint8Array, bit: number): Buffer {
  const out = Buffer.from(buf);
  out[Math.floor(bit / 8) % out.length]! ^= 1 << (bit % 8);
  return out;
}

const rejects = (fn: () => void): boolean => {
  try {
    fn();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'LEDGER_PROOF_INVALID';
  }
};

describe('merkle tree (RFC 9162)', () => {
  it('hashes leaves and nodes with domain separation', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // RFC 6962 test vector: the leaf hash of the empty string.
    expect(leafHash(new Uint8Array()).toString('hex')).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    const [a, b] = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    expect(rootOf([a, b])).toEqual(nodeHash(a, b));
    expect(rootOf([])).toEqual(EMPTY_ROOT);
  });

  it('computes the known root of the 8-leaf reference tree', () => {
    // RFC 6962 reference leaves (transparency-dev/merkle testonly): root of the first 8.
    const hex = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const leaves = hex.map((h) => leafHash(Buffer.from(h, 'hex')));
    expect(rootOf(leaves).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('decomposes proof ranges into stored complete subtrees that hash to the same root', () => {
    fc.assert(
      fc.property(leavesArb(2), fc.nat(), (leaves, seed) => {
        const size = leaves.length;
        const index = seed % size;
        const ranges = [...inclusionRanges(index, size), ...(index > 0 ? consistencyRanges(index, size) : [])];
        for (const r of ranges) {
          const nodes = completeNodes(r);
          for (const n of nodes) expect((n.index * 2 ** n.level) % 2 ** n.level).toBe(0);
          const hashes = nodes.map((n) => rootOf(leaves.slice(n.index * 2 ** n.level, (n.index + 1) * 2 ** n.level)));
          expect(combineNodes(hashes)).toEqual(rootOf(leaves.slice(r.start, r.end)));
        }
        expect(nodesForRanges(ranges).length).toBeLessThanOrEqual(4 * Math.ceil(Math.log2(size + 1)) + 2);
      }),
    );
  });

  it('every inclusion proof of a random tree verifies, and any single bit flip is rejected', () => {
    fc.assert(
      fc.property(leavesArb(), fc.nat(), fc.nat(), fc.nat(), (leaves, s1, s2, bit) => {
        const size = 1 + (s1 % leaves.length);
        const index = s2 % size;
        const root = rootOf(leaves.slice(0, size));
        const proof = inclusionProof(leaves, index, size);
        verifyInclusion(index, size, leaves[index]!, proof, root);
        expect(rejects(() => verifyInclusion(index, size, flipBit(leaves[index]!, bit % 256), proof, root))).toBe(true);
        expect(rejects(() => verifyInclusion(index, size, leaves[index]!, proof, flipBit(root, bit % 256)))).toBe(true);
        if (proof.length > 0) {
          const at = bit % proof.length;
          const bad = proof.map((h, i) => (i === at ? flipBit(h, Math.floor(bit / proof.length) % 256) : h));
          expect(rejects(() => verifyInclusion(index, size, leaves[index]!, bad, root))).toBe(true);
        }
        if ((index ^ 1) < size)
          expect(rejects(() => verifyInclusion(index ^ 1, size, leaves[index]!, proof, root))).toBe(true);
      }),
    );
  });

  it('every consistency proof of a random tree verifies, and any single bit flip is rejected', () => {
    fc.assert(
      fc.property(leavesArb(), fc.nat(), fc.nat(), fc.nat(), (leaves, s1, s2, bit) => {
        const newSize = 1 + (s1 % leaves.length);
        const oldSize = 1 + (s2 % newSize);
        const oldRoot = rootOf(leaves.slice(0, oldSize));
        const newRoot = rootOf(leaves.slice(0, newSize));
        const proof = consistencyProof(leaves, oldSize, newSize);
        verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot);
        expect(rejects(() => verifyConsistency(oldSize, newSize, proof, flipBit(oldRoot, bit % 256), newRoot))).toBe(
          true,
        );
        expect(rejects(() => verifyConsistency(oldSize, newSize, proof, oldRoot, flipBit(newRoot, bit % 256)))).toBe(
          true,
        );
        if (proof.length > 0) {
          const at = bit % proof.length;
          const bad = proof.map((h, i) => (i === at ? flipBit(h, Math.floor(bit / proof.length) % 256) : h));
          expect(rejects(() => verifyConsistency(oldSize, newSize, bad, oldRoot, newRoot))).toBe(true);
          expect(rejects(() => verifyConsistency(oldSize, newSize, proof.slice(1), oldRoot, newRoot))).toBe(true);
        }
      }),
    );
  });

  it('rejects garbage proofs without throwing anything but LEDGER_PROOF_INVALID', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 1 << 20 }),
        fc.integer({ min: -3, max: 1 << 20 }),
        fc.array(fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.anything()), { maxLength: 70 }),
        fc.uint8Array({ minLength: 30, maxLength: 34 }),
        (a, b, proof, hash) => {
          // The root differs from the leaf: otherwise (0, 1, [], h, h) is a valid size-1 proof.
          const root = Uint8Array.from(hash, (x, i) => (i === 0 ? x ^ 0xff : x));
          expect(rejects(() => verifyInclusion(a, b, hash, proof, root))).toBe(true);
          expect(rejects(() => verifyConsistency(a, b, [hash, ...proof], hash, EMPTY_ROOT))).toBe(true);
        },
      ),
    );
  });

  it('refuses proofs for positions outside the tree', () => {
    const leaves = [leafHash(Buffer.from('x'))];
    expect(() => inclusionProof(leaves, 1, 1)).toThrow(expect.objectContaining({ code: 'LEDGER_INDEX_OUT_OF_RANGE' }));
    expect(() => inclusionProof(leaves, 0, 2)).toThrow(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
    expect(() => consistencyProof(leaves, 2, 1)).toThrow(expect.objectContaining({ code: 'LEDGER_SIZE_INVALID' }));
  });
});
