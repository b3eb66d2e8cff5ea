import type { Writable } from 'node:stream';

/**
 * Coalesces what a connection writes in one turn of the event loop into one system call.
 * mqtt-packet corks a stream per packet and uncorks it on the next tick, so a broker relaying a
 * burst still sends every packet with its own writev. Here the first write of a turn takes one
 * extra cork, released on setImmediate, once the turn's I/O callbacks have all run: the packets
 * of the turn leave together. Latency grows by at most one turn. end() and destroy() still flush
 * or drop at once (end() uncorks completely), and the release that follows is then a no-op.
 */
export function batchWrites<S extends Writable>(stream: S): S {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let held = false;
  const release = () => {
    held = false;
    if (!stream.destroyed && stream.writableCorked > 0) stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!held && !stream.destroyed) {
      held = true;
      stream.cork();
      setImmediate(release);
    }
    return write(...args);
  }) as S['write'];
  return stream;
}
