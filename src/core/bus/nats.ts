import { connect, type JetStreamClient, type NatsConnection, type Subscription } from 'nats';
import type { BusEvent, BusHandler, EventBus, SubscribeOptions, Unsubscribe } from './bus.ts';

export interface NatsBusOptions {
  url: string;
  /** JetStream stream that keeps platform events (created if missing); default `<PREFIX>_EVENTS`. */
  stream?: string;
  /** Subject prefix, so several platforms can share one NATS. */
  prefix?: string;
  /** How long JetStream keeps events, for late consumers and audits. */
  maxAgeSeconds?: number;
  onError?: (err: unknown, event?: BusEvent) => void;
}

/** Events carry binary fields (COSE messages): JSON with bytes tagged so they come back as bytes. */
const BYTES = '$msec.bytes';
export function encodeEvent(event: BusEvent): Uint8Array {
  return Buffer.from(
    JSON.stringify(event, function (this: Record<string, unknown>, key, value: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array ? { [BYTES]: Buffer.from(raw).toString('base64') } : value;
    }),
  );
}
export function decodeEvent(data: Uint8Array): BusEvent {
  return JSON.parse(Buffer.from(data).toString('utf8'), (_k, v: unknown) => {
    if (
      v &&
      typeof v === 'object' &&
      typeof (v as Record<string, unknown>)[BYTES] === 'string' &&
      Object.keys(v).length === 1
    ) {
      return new Uint8Array(Buffer.from((v as Record<string, string>)[BYTES]!, 'base64'));
    }
    return v;
  }) as BusEvent;
}

/**
 * Scale-out event bus on NATS JetStream: publishes are stored in a stream and acknowledged by
 * the server before publish() resolves; every subscriber in every process receives each event
 * (fan-out), as with the in-process bus, except that a queue group shares its events out (NATS
 * queue subscriptions: one member of the group, in whichever process, gets each).
 */
export class NatsBus implements EventBus {
  private readonly subs = new Set<Subscription>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly onError: (err: unknown, event?: BusEvent) => void,
  ) {}

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const prefix = opts.prefix ?? 'msec';
    const stream = opts.stream ?? `${prefix.toUpperCase().replace(/-/g, '_')}_EVENTS`; // MSEC_EVENTS by default
    const nc = await connect({ servers: opts.url.replace(/^nats:\/\//, ''), name: 'msec', maxReconnectAttempts: -1 });
    const jsm = await nc.jetstreamManager();
    const config = { name: stream, subjects: [`${prefix}.>`], max_age: (opts.maxAgeSeconds ?? 7 * 86400) * 1e9 };
    try {
      await jsm.streams.info(stream);
      await jsm.streams.update(stream, config);
    } catch {
      await jsm.streams.add(config);
    }
    return new NatsBus(nc, nc.jetstream(), prefix, opts.onError ?? (() => {}));
  }

  async publish<T>(subject: string, data: T): Promise<void> {
    const event: BusEvent<T> = { subject, at: Date.now(), data };
    await this.js.publish(`${this.prefix}.${subject}`, encodeEvent(event));
  }

  subscribe(pattern: string, handler: BusHandler, options: SubscribeOptions = {}): Unsubscribe {
    const sub = this.nc.subscribe(`${this.prefix}.${pattern}`, options.queue ? { queue: options.queue } : {});
    this.subs.add(sub);
    void (async () => {
      for await (const msg of sub) {
        let event: BusEvent | undefined;
        try {
          event = decodeEvent(msg.data);
          await handler(event);
        } catch (err) {
          this.onError(err, event);
        }
      }
    })();
    return () => {
      sub.unsubscribe();
      this.subs.delete(sub);
    };
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs.clear();
    await this.nc.drain();
  }
}
