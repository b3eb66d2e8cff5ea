import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MsecError } from '../core/errors.ts';
import { killProcess } from './ffmpeg.ts';
import { encodeImage } from './image-io.ts';
import type { AnonymizerOptions } from './options.ts';
import { renderFrame } from './render.ts';
import type { Detection, Frame, ObjectDetector } from './types.ts';

export interface LiveOptions {
  source: string;
  width: number;
  height: number;
  options: AnonymizerOptions;
  detector: ObjectDetector;
  /** Reconnect delays grow from this to `maxBackoffMs`, doubling. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** While no new frame is ready, the last safe frame is re-sent this often (keeps clients alive). */
  keepAliveMs?: number;
  onEvent?: (e: string) => void;
  /**
   * Also hands every anonymized frame (JPEG) here, e.g. to publish it to the hub. Awaited: frames
   * that arrive while it runs are dropped, never queued raw.
   */
  onFrame?: (jpeg: Buffer) => Promise<void>;
  /** Take at most this many frames a second from the source (the rest are never decoded into the pipeline). */
  fps?: number;
  /** Extra ffmpeg input options before `-i` (e.g. `-re -stream_loop -1` to loop a file as a camera). */
  inputArgs?: string[];
}

const BOUNDARY = 'msecframe';

/**
 * A live camera anonymized: ffmpeg pulls the stream (RTSP, MJPEG over HTTP, anything it reads),
 * scaled to a fixed size, and only the newest frame waits; the processing loop anonymizes it and
 * publishes the result. Raw frames never reach the output side: clients only ever get frames that
 * went through `renderFrame`, and when processing falls behind or the source stalls they get the
 * last anonymized frame again, never a raw one. The source is reconnected with backoff.
 */
export class LiveAnonymizer {
  private decoder: ChildProcess | undefined;
  private pending: Frame | undefined;
  private wake: (() => void) | undefined;
  private lastSafe: Buffer | undefined;
  private previous: Detection[] = [];
  private readonly clients = new Set<ServerResponse>();
  private server: Server | undefined;
  private stopped = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private loops: Promise<void>[] = [];
  processed = 0;
  dropped = 0;
  connects = 0;

  constructor(private readonly o: LiveOptions) {}

  /** Starts pulling and serves the anonymized MJPEG stream on host:port; resolves to the bound port. */
  async serve(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      res.writeHead(200, {
        'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
        'cache-control': 'no-store',
        connection: 'close',
      });
      this.clients.add(res);
      res.on('close', () => this.clients.delete(res));
      if (this.lastSafe) this.send(res, this.lastSafe);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (err) =>
        reject(new MsecError('ANONYMIZER_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.message}`)),
      );
      this.server!.listen(port, host, resolve);
    });
    this.keepAlive = setInterval(() => {
      if (this.lastSafe) for (const c of this.clients) this.send(c, this.lastSafe);
    }, this.o.keepAliveMs ?? 1000);
    this.start();
    return (this.server.address() as AddressInfo).port;
  }

  /** Starts pulling and anonymizing without serving (frames go to `onFrame` only). */
  start(): void {
    if (this.loops.length === 0) this.loops = [this.pull(), this.process()];
  }

  private send(res: ServerResponse, jpeg: Buffer): void {
    res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
    res.write(jpeg);
    res.write('\r\n');
  }

  /** Keeps a decoder running against the source, reconnecting with exponential backoff. */
  private async pull(): Promise<void> {
    const size = this.o.width * this.o.height * 3;
    let delay = this.o.backoffMs ?? 500;
    while (!this.stopped) {
      this.connects++;
      this.o.onEvent?.(`connecting to ${this.o.source}`);
      const dec = spawn(
        'ffmpeg',
        [
          '-v',
          'error',
          '-nostdin',
          ...(this.o.source.includes('://') ? ['-rw_timeout', '5000000'] : []),
          ...(this.o.inputArgs ?? []),
          '-i',
          this.o.source,
          '-an',
          '-vf',
          `${this.o.fps ? `fps=${this.o.fps},` : ''}scale=${this.o.width}:${this.o.height}`,
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgb24',
          'pipe:1',
        ],
        { stdio: ['ignore', 'pipe', 'ignore'], detached: true },
      );
      this.decoder = dec;
      let buf: Buffer = Buffer.alloc(0);
      let got = false;
      try {
        for await (const chunk of dec.stdout as AsyncIterable<Buffer>) {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          while (buf.length >= size) {
            if (this.pending) this.dropped++;
            this.pending = { width: this.o.width, height: this.o.height, data: new Uint8Array(buf.subarray(0, size)) };
            buf = buf.subarray(size);
            got = true;
            this.wake?.();
          }
        }
      } finally {
        killProcess(dec);
      }
      if (this.stopped) break;
      if (got) delay = this.o.backoffMs ?? 500;
      this.o.onEvent?.(`source ended; reconnecting in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, this.o.maxBackoffMs ?? 30_000);
    }
  }

  /** Anonymizes the newest frame, then the next newest: frames that arrive meanwhile are dropped. */
  private async process(): Promise<void> {
    while (!this.stopped) {
      if (!this.pending)
        await new Promise<void>((r) => {
          this.wake = r;
        });
      this.wake = undefined;
      const frame = this.pending;
      this.pending = undefined;
      if (!frame) continue;
      const dets = await this.o.detector.detect(frame);
      // Carry the previous frame's objects too: a person missed in this frame stays covered.
      await renderFrame(frame, [...dets, ...this.previous], this.o.options);
      this.previous = dets;
      const jpeg = await encodeImage(frame, 'jpeg', 80);
      this.lastSafe = jpeg;
      this.processed++;
      for (const c of this.clients) this.send(c, jpeg);
      if (this.o.onFrame)
        await this.o.onFrame(jpeg).catch((err: Error) => this.o.onEvent?.(`frame not published: ${err.message}`));
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.keepAlive);
    if (this.decoder) killProcess(this.decoder);
    this.wake?.();
    for (const c of this.clients) c.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await Promise.allSettled(this.loops);
  }
}
