import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchWrites } from './write-batching.ts';

/** A stream that records the size of every batch it is asked to send. */
function recorder(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      batches.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      batches.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      cb();
    },
  });
  return { stream, batches };
}

/**
 * Writes the way mqtt-packet does (cork, write, uncork on the next tick), each packet a tick after
 * the previous one, as a broker delivering a burst does: all within one turn of the event loop.
 */
async function writePackets(stream: Writable, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => process.nextTick(r));
    stream.cork();
    stream.write(`p${i}`);
    process.nextTick(() => stream.uncork());
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('batchWrites', () => {
  it('sends the packets written in one turn of the event loop as one batch, in order', async () => {
    const { stream, batches } = recorder();
    batchWrites(stream);
    await writePackets(stream, 10);
    expect(batches).toEqual([]); // nothing leaves before the turn ends
    await turn();
    expect(batches).toEqual([['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']]);
  });

  it("sends each turn's packets in their own batch", async () => {
    const { stream, batches } = recorder();
    batchWrites(stream);
    await writePackets(stream, 2);
    await turn();
    await writePackets(stream, 3);
    await turn();
    expect(batches.map((b) => b.length)).toEqual([2, 3]);
  });

  it('end() flushes at once and the pending release does no harm', async () => {
    const { stream, batches } = recorder();
    batchWrites(stream);
    stream.write('a');
    stream.write('b');
    await new Promise<void>((r) => stream.end('c', () => r()));
    expect(batches.flat()).toEqual(['a', 'b', 'c']);
    await turn();
    expect(stream.writableCorked).toBe(0);
  });

  it('without it, the same packets leave one by one', async () => {
    const { stream, batches } = recorder();
    await writePackets(stream, 4);
    await turn();
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
  });
});
