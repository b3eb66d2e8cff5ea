/**
 * One simulated device: a key store key, a sensor, a monotonically increasing counter, and the
 * ability to misbehave on purpose (tampered signatures, replays) for demonstrations and tests.
 */
import type { DeviceKeyStore } from '../keystore/keystore.ts';
import { signReading } from '../reading/signed.ts';
import type { Sensor } from './sensors.ts';

export class VirtualDevice {
  /** Counters start at the wall clock in ms: still increasing after a restart without state. */
  private counter = 0;
  private readonly history: Uint8Array[] = [];

  constructor(
    readonly deviceId: string,
    readonly keyStore: DeviceKeyStore,
    readonly signingLabel: string,
    readonly sensor: Sensor,
  ) {}

  /** A genuine signed reading of the sensor's current value. */
  async nextReading(now = Date.now()): Promise<Uint8Array> {
    this.counter = Math.max(this.counter + 1, now);
    const s = this.sensor.sample(now);
    const bytes = await signReading(this.keyStore, this.signingLabel, this.deviceId, {
      deviceId: this.deviceId,
      resource: `${this.deviceId}/${s.service}/${s.resource}`,
      value: s.value,
      ...(s.unit !== undefined ? { unit: s.unit } : {}),
      counter: this.counter,
      timestamp: now,
    });
    this.history.push(bytes);
    if (this.history.length > 16) this.history.shift();
    return bytes;
  }

  /** A genuine reading with one signature byte flipped: must fail verification. */
  async tamperedReading(now = Date.now()): Promise<Uint8Array> {
    const bytes = Uint8Array.from(await this.nextReading(now));
    this.history.pop();
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    return bytes;
  }

  /** An earlier reading sent again unchanged: must be refused as a replay. */
  replayedReading(): Uint8Array | undefined {
    return this.history[0];
  }
}
