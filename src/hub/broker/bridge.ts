import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../core/index.ts';
import { TOPICS, type AcceptedReading } from '../contracts.ts';
import { topicMatches } from './topic-match.ts';
import { readingMessage } from './reading-message.ts';

export interface BridgeOptions {
  /** The other broker, e.g. mqtt://127.0.0.1:1883 (mqtts:// for TLS). */
  url: string;
  username?: string;
  password?: string;
  /** Accepted readings whose `data/...` topic matches one of these filters go out. */
  outbound: string[];
  /** Prefix on the other broker for outgoing topics (e.g. `msec` -> `msec/data/...`). */
  remotePrefix?: string;
  /** Filters subscribed on the other broker; what arrives is republished locally under `apps/{org}/bridge/`. */
  inbound: string[];
  /** The organisation whose `apps/` tree receives inbound messages. */
  org: string;
}

/**
 * Bridges the hub and another MQTT broker with the mqtt client library: verified readings out,
 * a topic tree in. Inbound messages are unverified, so they land under `apps/{org}/bridge/`,
 * never under `data/`. The client reconnects with backoff on its own.
 */
export class MqttBridge {
  private client: MqttClient | undefined;
  received = 0;
  sent = 0;

  constructor(
    private readonly opts: BridgeOptions,
    private readonly logger: Logger,
    private readonly publishLocal: (topic: string, payload: Buffer) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const client = mqtt.connect(this.opts.url, {
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
      protocolVersion: 4,
      reconnectPeriod: 1000,
      clientId: `msec-bridge-${Math.random().toString(16).slice(2, 10)}`,
    });
    this.client = client;
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'mqtt bridge error'));
    client.on('message', (topic, payload) => {
      this.received++;
      void this.publishLocal(`apps/${this.opts.org}/bridge/${topic}`, payload).catch(() => {});
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    if (this.opts.inbound.length > 0) await client.subscribeAsync(this.opts.inbound, { qos: 1 });
  }

  forwardReading(r: AcceptedReading): void {
    const topic = TOPICS.data(r.org, r.provider, r.service, r.resource);
    if (!this.client || !this.opts.outbound.some((f) => topicMatches(f, topic))) return;
    const remote = this.opts.remotePrefix ? `${this.opts.remotePrefix}/${topic}` : topic;
    this.sent++;
    this.client.publish(remote, readingMessage(r), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}
