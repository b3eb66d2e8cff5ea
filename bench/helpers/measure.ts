/** Shared helpers of the benchmarks: numeric flags and fixed-duration load loops. */

/** `--name N` from the arguments, or `fallback` when absent or not a positive number. */
export function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Runs `op` in `workers` concurrent loops for `ms`; returns completed operations per second. */
export async function forDuration(ms: number, workers: number, op: () => Promise<unknown>): Promise<number> {
  const end = Date.now() + ms;
  let count = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await op();
        count++;
      }
    }),
  );
  return count / (ms / 1000);
}

/** The median: one disturbed round on a shared machine cannot move it. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
