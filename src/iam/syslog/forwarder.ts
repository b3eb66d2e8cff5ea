import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../core/index.ts';
import { formatSyslog, frameOctetCounted, type SyslogMessage } from './format.ts';
import type { SyslogSettings } from './settings.ts';

export interface ForwarderOptions {
  settings: Pick<SyslogSettings, 'transport' | 'host' | 'port' | 'ca' | 'cert' | 'key' | 'bufferSize'>;
  registry?: Registry | undefined;
  logger?: Pick<Logger, 'warn' | 'info'> | undefined;
  /** First and longest wait between reconnection attempts (default 250 ms and 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Ships syslog frames to one receiver over a long-lived TCP or TLS connection. `send` never
 * blocks and never throws: frames wait in a bounded buffer while the receiver is away (the
 * oldest dropped and counted beyond it), the connection is retried with exponential backoff,
 * and frames whose write failed go back to the buffer. Counters: sent, dropped, buffered.
 */
export class SyslogForwarder {
  private readonly queue: Buffer[] = [];
  private socket: Socket | undefined;
  private connected = false;
  private stopped = false;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private inFlight = 0;
  private readonly sentTotal: Counter;
  private readonly droppedTotal: Counter;
  private readonly connectFailures: Counter;
  private readonly bufferedGauge: Gauge;
  private readonly connectedGauge: Gauge;
  /** Plain counts beside the metrics (for tests and the CLI). */
  readonly counts = { sent: 0, dropped: 0, connectFailures: 0 };

  constructor(private readonly opts: ForwarderOptions) {
    this.backoff = opts.minBackoffMs ?? 250;
    const registers = opts.registry ? [opts.registry] : [];
    this.sentTotal = new Counter({
      name: 'msec_syslog_sent_total',
      help: 'syslog messages written to the receiver',
      registers,
    });
    this.droppedTotal = new Counter({
      name: 'msec_syslog_dropped_total',
      help: 'syslog messages dropped because the buffer was full',
      registers,
    });
    this.connectFailures = new Counter({
      name: 'msec_syslog_connect_failures_total',
      help: 'failed connections or lost connections to the syslog receiver',
      registers,
    });
    this.bufferedGauge = new Gauge({
      name: 'msec_syslog_buffered',
      help: 'syslog messages waiting for the receiver',
      registers,
      collect: () => this.bufferedGauge.set(this.buffered),
    });
    this.connectedGauge = new Gauge({
      name: 'msec_syslog_connected',
      help: '1 while connected to the syslog receiver',
      registers,
      collect: () => this.connectedGauge.set(this.connected ? 1 : 0),
    });
  }

  /** Messages waiting (not yet handed to the socket). */
  get buffered(): number {
    return this.queue.length;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.connect();
  }

  /** Formats and queues one message; returns at once whatever the receiver's state. */
  send(message: SyslogMessage): void {
    if (this.stopped) return;
    let frame: Buffer;
    try {
      frame = frameOctetCounted(formatSyslog(message));
    } catch (err) {
      this.opts.logger?.warn({ err, code: 'IAM_SYSLOG_FORMAT' }, 'syslog message not formatted; dropped');
      this.drop(1);
      return;
    }
    this.enqueue(frame);
    this.pump();
  }

  /** Waits (bounded) for the buffer to drain, then closes the connection. */
  async stop(drainMs = 2000): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.connected && (this.queue.length || this.inFlight) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    clearTimeout(this.timer);
    const s = this.socket;
    const wasConnected = this.connected;
    this.socket = undefined;
    this.connected = false;
    if (s && wasConnected)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        s.end(() => {
          clearTimeout(t);
          r();
        });
      });
    s?.destroy();
  }

  private enqueue(frame: Buffer, front = false): void {
    if (front) this.queue.unshift(frame);
    else this.queue.push(frame);
    const over = this.queue.length - this.opts.settings.bufferSize;
    if (over > 0) {
      this.queue.splice(0, over);
      this.drop(over);
    }
  }

  private drop(n: number): void {
    this.counts.dropped += n;
    this.droppedTotal.inc(n);
  }

  private pump(): void {
    const s = this.socket;
    while (this.connected && s && !s.writableNeedDrain && this.queue.length) {
      const frame = this.queue.shift()!;
      this.inFlight++;
      s.write(frame, (err) => {
        this.inFlight--;
        if (err) {
          // Not delivered: back to the head of the buffer, for the next connection.
          if (!this.stopped) this.enqueue(frame, true);
          return;
        }
        this.counts.sent++;
        this.sentTotal.inc();
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const { transport, host, port, ca, cert, key } = this.opts.settings;
    const s =
      transport === 'tls'
        ? tlsConnect({ host, port, ca, cert, key, servername: isIP(host) ? undefined : host, minVersion: 'TLSv1.2' })
        : netConnect({ host, port });
    this.socket = s;
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
      if (this.socket !== s) return;
      this.connected = true;
      this.backoff = this.opts.minBackoffMs ?? 250;
      if (this.failing) this.opts.logger?.info({ host, port }, 'syslog receiver reachable again');
      this.failing = false;
      this.pump();
    });
    s.on('drain', () => this.pump());
    // A receiver never speaks; data or end means it is going away.
    s.on('data', () => undefined);
    s.on('end', () => s.destroy());
    s.on('error', (err) => {
      if (this.socket !== s) return;
      if (!this.failing)
        this.opts.logger?.warn(
          { err, host, port, code: 'IAM_SYSLOG_UNAVAILABLE' },
          'syslog receiver unreachable; buffering',
        );
      this.failing = true;
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.connected = false;
      this.counts.connectFailures++;
      this.connectFailures.inc();
      if (this.stopped) return;
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 30_000);
      this.timer = setTimeout(() => this.connect(), wait);
      this.timer.unref();
    });
  }
}
