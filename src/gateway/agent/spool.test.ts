import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { recordBatch } from './records.ts';
import { Spool, type SpoolFullPolicy } from './spool.ts';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'msec-spool-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Appends records given as strings. */
const put = (s: Spool, records: string[]) => s.append(recordBatch(records));
const rec = (i: number) => JSON.stringify({ id: `s:${i}`, line: 'x'.repeat(i % 50) });
const ids = (data: Buffer) =>
  data
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: string }).id);

function drain(s: Spool, maxEvents = 7): string[] {
  const out: string[] = [];
  for (let b = s.peek(maxEvents, 1 << 20); b; b = s.peek(maxEvents, 1 << 20)) {
    out.push(...ids(b.data));
    s.ack(b);
  }
  return out;
}

describe('Spool', () => {
  it('is a FIFO across segments and reopens where the last ack left it', async () => {
    const dir = freshDir();
    let s = Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 64 * 1024, whenFull: 'block' });
    for (let i = 0; i < 3000; i += 100)
      await put(
        s,
        Array.from({ length: 100 }, (_, k) => rec(i + k)),
      );
    expect(s.events).toBe(3000);
    const b = s.peek(1000, 1 << 20)!;
    s.ack(b);
    const peekedNotAcked = s.peek(10, 1 << 20)!;
    expect(ids(peekedNotAcked.data)[0]).toBe(`s:${b.ends.length}`);
    s.close();
    s = Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 64 * 1024, whenFull: 'block' });
    expect(s.events).toBe(3000 - b.ends.length);
    const rest = drain(s);
    expect(rest).toEqual(Array.from({ length: 3000 - b.ends.length }, (_, k) => `s:${b.ends.length + k}`));
    expect(s.events).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-')).length).toBe(1);
    s.close();
  });

  it('cuts a torn last record (crash mid-write) on reopen', async () => {
    const dir = freshDir();
    const s = Spool.open(dir, { maxBytes: 1 << 20, whenFull: 'block' });
    await put(s, [rec(1), rec(2)]);
    s.close();
    const seg = readdirSync(dir).find((f) => f.startsWith('seg-'))!;
    appendFileSync(join(dir, seg), '{"id":"s:3","li');
    const again = Spool.open(dir, { maxBytes: 1 << 20, whenFull: 'block' });
    expect(drain(again)).toEqual(['s:1', 's:2']);
    await put(again, [rec(4)]);
    expect(drain(again)).toEqual(['s:4']);
    again.close();
  });

  it.each<[SpoolFullPolicy, 'first' | 'last']>([
    ['keep-oldest', 'first'],
    ['keep-newest', 'last'],
  ])('%s: when full, counts every dropped record and keeps the %s ones', async (policy, kept) => {
    const dir = freshDir();
    const drops: number[] = [];
    const s = Spool.open(dir, {
      maxBytes: 256 * 1024,
      segmentBytes: 32 * 1024,
      whenFull: policy,
      onFull: (i) => drops.push(i.dropped),
    });
    const total = 20_000;
    for (let i = 0; i < total; i += 500)
      await put(
        s,
        Array.from({ length: 500 }, (_, k) => rec(i + k)),
      );
    const got = drain(s, 1000);
    const dropped = drops.reduce((a, b) => a + b, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(got.length + dropped).toBe(total);
    expect(s.droppedTotal).toBe(dropped);
    const nums = got.map((id) => Number(id.slice(2)));
    if (kept === 'first') expect(nums[0]).toBe(0);
    else expect(nums[nums.length - 1]).toBe(total - 1);
    // What is kept is contiguous runs in order, never reordered.
    expect([...nums].sort((a, b) => a - b)).toEqual(nums);
    s.close();
  });

  it('block: an append waits for space and completes once acks free it', async () => {
    const dir = freshDir();
    const s = Spool.open(dir, { maxBytes: 64 * 1024, segmentBytes: 16 * 1024, whenFull: 'block' });
    const all = Array.from({ length: 4000 }, (_, k) => rec(k));
    let done = false;
    const p = put(s, all).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    const got: string[] = [];
    while (!done || s.events > 0) {
      const b = s.peek(100, 1 << 20);
      if (b) {
        got.push(...ids(b.data));
        s.ack(b);
      }
      await new Promise((r) => setImmediate(r));
    }
    await p;
    expect(got).toEqual(all.map((_, k) => `s:${k}`));
    s.close();
  });

  it('any interleaving of appends, peeks, acks and reopens delivers each record once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('ack'), fc.constant('reopen'), fc.integer({ min: 1, max: 60 })), {
          maxLength: 40,
        }),
        async (ops) => {
          const dir = freshDir();
          const opts = { maxBytes: 1 << 20, segmentBytes: 2048, whenFull: 'block' as const };
          let s = Spool.open(dir, opts);
          let next = 0;
          const got: string[] = [];
          for (const op of ops) {
            if (op === 'reopen') {
              s.close();
              s = Spool.open(dir, opts);
            } else if (op === 'ack') {
              const b = s.peek(13, 1 << 20);
              if (b) {
                got.push(...ids(b.data));
                s.ack(b);
              }
            } else {
              await put(
                s,
                Array.from({ length: op }, () => rec(next++)),
              );
            }
          }
          got.push(...drain(s));
          s.close();
          expect(got).toEqual(Array.from({ length: next }, (_, k) => `s:${k}`));
        },
      ),
      { numRuns: 40 },
    );
  });
});
