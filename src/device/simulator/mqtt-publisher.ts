/**
 * MQTT transport for simulated devices: one connection per device, the device id as username and
 * the device credential as CONNECT password, QoS 1 publishes to `devices/{id}/readings`.
 *
 * The hub acknowledges a QoS 1 reading only after verifying it; MQTT 3.1.1 has no PUBACK reason
 * code, so a refused reading closes the connection instead. A publish therefore resolves to
 * 'accepted' (PUBACK) or 'refused' (closed before the PUBACK), and the next publish reconnects
 * on a fresh client so the refused message is never resent.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { MsecError } from '../../core/errors.ts';

export function deviceReadingsTopic(deviceId: string): string {
  return `devices/${deviceId}/readings`;
}

export type PublishOutcome = 'accepted' | 'refused';

function connectClient(url: string, deviceId: string, credential: string): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: `${deviceId}-${process.pid}`,
    username: deviceId,
    password: credential,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  return new Promise<MqttClient>((resolve, reject) => {
    const fail = (message: string) => {
      client.end(true);
      reject(
        new MsecError('MQTT_CONNECT_FAILED', `MQTT connection for ${deviceId} refused: ${message}`, { status: 502 }),
      );
    };
    client.once('connect', () => {
      client.removeAllListeners('error');
      client.on('error', () => undefined); // later errors surface as 'close'
      resolve(client);
    });
    client.once('error', (err) => fail(err.message));
    client.once('close', () => fail('connection closed'));
  });
}

export class MqttDevicePublisher {
  private constructor(
    private client: MqttClient,
    private readonly url: string,
    private readonly deviceId: string,
    private readonly credential: () => Promise<string>,
  ) {}

  /** `credential` is asked again on every reconnect (it may have been renewed). */
  static async connect(url: string, deviceId: string, credential: () => Promise<string>): Promise<MqttDevicePublisher> {
    return new MqttDevicePublisher(await connectClient(url, deviceId, await credential()), url, deviceId, credential);
  }

  async publish(bytes: Uint8Array): Promise<PublishOutcome> {
    if (!this.client.connected) {
      this.client.end(true);
      this.client = await connectClient(this.url, this.deviceId, await this.credential());
    }
    const client = this.client;
    return new Promise<PublishOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: PublishOutcome) => {
        if (settled) return;
        settled = true;
        client.off('close', onClose);
        resolve(outcome);
      };
      const onClose = () => settle('refused');
      client.once('close', onClose);
      client.publish(deviceReadingsTopic(this.deviceId), Buffer.from(bytes), { qos: 1 }, (err) =>
        settle(err ? 'refused' : 'accepted'),
      );
    });
  }

  async close(): Promise<void> {
    if (this.client.connected) await this.client.endAsync();
    else this.client.end(true);
  }
}
