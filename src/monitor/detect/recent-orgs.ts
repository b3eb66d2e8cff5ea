/**
 * Remembers which organisation recent events belong to, so correlations can tell a cross-city
 * campaign. A batch stores runs of consecutive seqs of one organisation, so runs are kept instead of
 * one map entry per event (which cost a Map insertion and eviction per event at ingest rates).
 */
export class RecentOrgs {
  /** Runs [first, last] of one org, sorted by `first`, not overlapping. */
  private readonly runs: Array<{ first: number; last: number; org: string }> = [];
  private covered = 0;
  constructor(private readonly max = 200_000) {}

  set(seq: number, org: string): void {
    const runs = this.runs;
    const tail = runs[runs.length - 1];
    if (tail && tail.org === org && seq === tail.last + 1) tail.last = seq;
    else if (!tail || seq > tail.last) runs.push({ first: seq, last: seq, org });
    else {
      // Out of order (another writer's seqs interleaved): a run of its own, in its place.
      if (this.get(seq) !== undefined) return;
      const at = this.indexAfter(seq);
      runs.splice(at, 0, { first: seq, last: seq, org });
    }
    this.covered++;
    while (this.covered > this.max && runs.length > 0) {
      const head = runs[0]!;
      const drop = Math.min(head.last - head.first + 1, this.covered - this.max);
      head.first += drop;
      this.covered -= drop;
      if (head.first > head.last) runs.shift();
    }
  }

  get(seq: number): string | undefined {
    const i = this.indexAfter(seq) - 1;
    const r = this.runs[i];
    return r && seq >= r.first && seq <= r.last ? r.org : undefined;
  }

  /** Index of the first run starting after `seq`. */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runs[mid]!.first <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
