import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { MsecError } from '../../core/errors.ts';
import { splitLines, type SkipReason } from './lines.ts';
import { RecordEncoder, recordsFrom, type RecordBatch, type RecordSink } from './records.ts';

export interface SocketInputOptions {
  path: string;
  sensor: string;
  maxLineBytes: number;
  onNotice?: (what: string, details: Record<string, unknown>) => void;
}

/**
 * Listens on the unix stream socket Suricata's EVE `filetype: unix_stream` output connects to. Each
 * connection is a stream with ids `<sensor>:sock:<stream start ms>:<seq>`; while the sink is busy the
 * connection is paused, so Suricata feels the backpressure instead of the agent buffering.
 */
export class SocketInput {
  private readonly opts: SocketInputOptions;
  private readonly sink: RecordSink;
  private server: Server | undefined;
  private lastStartMs = 0;
  private readonly sockets = new Set<Socket>();
  private stopped = false;

  constructor(opts: SocketInputOptions, sink: RecordSink) {
    this.opts = opts;
    this.sink = sink;
  }

  async start(): Promise<void> {
    if (existsSync(this.opts.path)) {
      if (!lstatSync(this.opts.path).isSocket())
        throw new MsecError('GATEWAY_SOCKET_PATH_TAKEN', `${this.opts.path} exists and is not a socket`);
      unlinkSync(this.opts.path); // a stale socket of an earlier run
    }
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new MsecError('GATEWAY_SOCKET_LISTEN_FAILED', `cannot listen on ${this.opts.path}: ${err.message}`)),
      );
      server.listen(this.opts.path, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Lines from a socket cannot be read again: retry (the connection stays paused) until they are durable. */
  private async writeDurably(records: RecordBatch, skipped: Partial<Record<SkipReason, number>>): Promise<void> {
    let rest = records;
    let counts = skipped;
    for (let attempt = 0; ; attempt++) {
      try {
        const taken = await this.sink.write(rest, 'eve', counts);
        counts = {};
        rest = recordsFrom(rest, taken);
        if (rest.ends.length === 0) return;
        throw new Error('spool took part of the lines');
      } catch (err) {
        if (this.stopped) throw err;
        this.opts.onNotice?.('socket_write_retry', { error: (err as Error).message, attempt });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    // Stream ids must never repeat, even for two connections in the same millisecond.
    const startMs = Math.max(Date.now(), this.lastStartMs + 1);
    this.lastStartMs = startMs;
    const encoder = new RecordEncoder(`${this.opts.sensor}:sock:${startMs}:`, 'eve', undefined);
    let seq = 0;
    let pending = Buffer.alloc(0);
    let skipping = false;
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const res = splitLines(buf, 0, 'eve', this.opts.maxLineBytes, skipping);
      skipping = res.skipping;
      pending = Buffer.from(buf.subarray(res.consumed));
      // Ids count lines: the encoder adds each line's offset to the base, so give it line numbers.
      const numbered = res.lines.map((l, i) => ({ ...l, offset: i }));
      const records = encoder.encode(buf, numbered, seq);
      seq += numbered.length;
      if (records.ends.length === 0 && Object.keys(res.skipped).length === 0) return;
      socket.pause();
      chain = chain
        .then(() => this.writeDurably(records, res.skipped))
        .catch((err) =>
          this.opts.onNotice?.('socket_write_failed', { error: (err as Error).message, lost: records.ends.length }),
        )
        .finally(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
