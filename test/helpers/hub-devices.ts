/**
 * Simulated devices for the hub's integration tests, on the real device side: each has a software
 * key store, is enrolled through the hub's HTTP enrollment API with a one-time token, signs its
 * readings (COSE_Sign1) with an increasing counter and authenticates with real device credentials
 * (ES256 JWS signed in its key store; the MQTT CONNECT password, username = device id).
 * The hub only accepts readings under the device's own provider: publish `{device id}/service/resource`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { SoftwareKeyStore, signReading } from '../../src/device/index.ts';
import {
  createDeviceCredential,
  enrollDevice,
  rotateDeviceKey,
  type DeviceDescription,
} from '../../src/device/simulator/index.ts';
import { CHEAP_SCRYPT } from './devices.ts';
import type { HubTestPlatform } from './hub-platform.ts';

/** What enrolling needs from a hub: its HTTP base URL and an enrollment token for the device's org. */
export type EnrollingHub = Pick<HubTestPlatform, 'platform' | 'enrollmentToken'>;

export class SimDevice {
  private counter = 0;
  /** Key store label and hub key version of the current signing key (rotateKey moves both on). */
  private label = 'signing';
  private keyVersion = 1;
  private constructor(
    readonly id: string,
    readonly org: string,
    private readonly keys: SoftwareKeyStore,
    private readonly dir: string,
  ) {}

  /** Enrolls device `id` into `org` (created if absent) on `hub` through the HTTP enrollment API. */
  static async create(hub: EnrollingHub, id: string, org: string, metadata?: DeviceDescription): Promise<SimDevice> {
    const dir = mkdtempSync(join(tmpdir(), 'msec-simdev-'));
    const keys = await SoftwareKeyStore.open({ dir, passphrase: 'test-device', scrypt: CHEAP_SCRYPT });
    try {
      const token = await hub.enrollmentToken(org);
      const enrolled = await enrollDevice({
        hub: hub.platform.url,
        token,
        deviceId: id,
        keyStore: keys,
        metadata: metadata ?? { name: `Simulated ${id}`, type: 'other', transducers: [] },
      });
      if (enrolled.deviceId !== id || enrolled.org !== org)
        throw new Error(`enrolled ${enrolled.deviceId} into ${enrolled.org}, expected ${id} into ${org}`);
    } catch (err) {
      await keys.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new SimDevice(id, org, keys, dir);
  }

  async publicKey(): Promise<KeyObject> {
    return (await this.keys.getPublicKey(this.label))!.publicKey;
  }

  /** A signed reading (COSE_Sign1 bytes) with the next counter. */
  reading(
    resource: string,
    value: number | string | boolean,
    timestamp = Date.now(),
    unit?: string,
  ): Promise<Uint8Array> {
    return signReading(this.keys, this.label, this.id, {
      deviceId: this.id,
      resource,
      value,
      counter: ++this.counter,
      timestamp,
      ...(unit ? { unit } : {}),
    });
  }

  /** A device credential: the MQTT CONNECT password (username = device id) or an HTTP bearer token. */
  credential(ttlSeconds = 300): Promise<string> {
    return createDeviceCredential(this.keys, this.label, this.id, undefined, { lifetimeSeconds: ttlSeconds });
  }

  /** Rotates the signing key through the hub's rotation API (the new key signed by the old one). */
  async rotateKey(hubUrl: string): Promise<void> {
    const newLabel = `signing-${this.keyVersion + 1}`;
    this.keyVersion = await rotateDeviceKey({
      hub: hubUrl,
      deviceId: this.id,
      keyStore: this.keys,
      currentLabel: this.label,
      newLabel,
      currentVersion: this.keyVersion,
    });
    this.label = newLabel;
  }

  async close(): Promise<void> {
    await this.keys.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
