import { nodeHash } from './merkle/hash.ts';
import { combineNodes } from './merkle/tree.ts';

/** A stored node row produced by appending leaves. */
export interface NewNode {
  level: number;
  index: number;
  hash: Buffer;
}

/**
 * The right edge of the tree: one complete-subtree hash per set bit of the size (a compact range).
 * Appending a leaf merges equal-sized subtrees, yielding the new complete nodes to store.
 */
export class Frontier {
  private constructor(
    private sizeValue: number,
    /** byLevel[l] is the hash of the complete subtree of 2^l leaves on the edge, when bit l of size is set. */
    private readonly byLevel: (Buffer | undefined)[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** From the frontier nodes of `size`, ordered left to right (largest first). */
  static fromNodes(size: number, hashes: readonly Buffer[]): Frontier {
    const byLevel: (Buffer | undefined)[] = [];
    let i = 0;
    for (let level = 52; level >= 0; level--) {
      if (Math.floor(size / 2 ** level) % 2 === 1) byLevel[level] = hashes[i++];
    }
    return new Frontier(size, byLevel);
  }

  get size(): number {
    return this.sizeValue;
  }

  clone(): Frontier {
    return new Frontier(this.sizeValue, [...this.byLevel]);
  }

  /** Appends one leaf; returns the nodes (the leaf itself first) that now exist. */
  append(leaf: Buffer): NewNode[] {
    const index = this.sizeValue;
    const created: NewNode[] = [{ level: 0, index, hash: leaf }];
    let carry = leaf;
    let level = 0;
    while (Math.floor(index / 2 ** level) % 2 === 1) {
      carry = nodeHash(this.byLevel[level] as Buffer, carry);
      this.byLevel[level] = undefined;
      level++;
      created.push({ level, index: Math.floor((index + 1) / 2 ** level) - 1, hash: carry });
    }
    this.byLevel[level] = carry;
    this.sizeValue++;
    return created;
  }

  root(): Buffer {
    const leftToRight: Buffer[] = [];
    for (let level = this.byLevel.length - 1; level >= 0; level--) {
      const h = this.byLevel[level];
      if (h) leftToRight.push(h);
    }
    return combineNodes(leftToRight);
  }
}
