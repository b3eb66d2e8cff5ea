/**
 * Which subtrees make up a proof (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 SUBPROOF), expressed as
 * leaf ranges [start, end). Generation is split from hashing so the same shapes serve proofs
 * from an in-memory leaf list and from stored node hashes.
 */
export interface Range {
  start: number;
  end: number;
}

/** A stored node: the complete subtree of 2^level leaves starting at leaf index << level. */
export interface NodeId {
  level: number;
  index: number;
}

/** Largest power of two strictly less than n (n >= 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** PATH(m, D[start:end]) as ranges, ordered from the leaf upwards. */
export function inclusionRanges(index: number, size: number): Range[] {
  const out: Range[] = [];
  let start = 0;
  let end = size;
  const stack: Range[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      stack.push({ start: start + k, end });
      end = start + k;
    } else {
      stack.push({ start, end: start + k });
      start += k;
    }
  }
  while (stack.length > 0) out.push(stack.pop() as Range);
  return out;
}

/** SUBPROOF(m, D[0:n], true) as ranges, in proof order. Requires 0 < m < n. */
export function consistencyRanges(m: number, n: number): Range[] {
  const out: Range[] = [];
  const visit = (mm: number, start: number, end: number, complete: boolean): void => {
    const size = end - start;
    if (mm === size) {
      if (!complete) out.push({ start, end });
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      visit(mm, start, start + k, complete);
      out.push({ start: start + k, end });
    } else {
      visit(mm - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  visit(m, 0, n, true);
  return out;
}

/**
 * The complete subtrees whose hashes combine into MTH(D[start:end]), left to right. Valid for
 * every range a proof uses: start is a multiple of the largest power of two not above the size.
 */
export function completeNodes(range: Range): NodeId[] {
  const out: NodeId[] = [];
  let start = range.start;
  let remaining = range.end - range.start;
  while (remaining > 0) {
    let level = 0;
    while (2 ** (level + 1) <= remaining) level++;
    out.push({ level, index: start / 2 ** level });
    start += 2 ** level;
    remaining -= 2 ** level;
  }
  return out;
}

/** The complete subtrees making up a tree of `size` leaves (its right frontier), left to right. */
export function frontierNodes(size: number): NodeId[] {
  return size === 0 ? [] : completeNodes({ start: 0, end: size });
}
