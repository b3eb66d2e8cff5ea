/**
 * `msec up --demo`: simulated software-key devices in Santander and Fujisawa, enrolled in-process
 * and publishing signed readings through the one ingest path about once a second each, with an
 * occasional tampered and replayed reading so the console shows refusals too. The demo devices'
 * key stores live under <dataDir>/demo-devices (passphrase in a 0600 file beside them).
 */
import { IAM } from '../../iam/index.ts';
import { join } from 'node:path';
import { isMsecError, newSecret, readTextIfExists, writePrivateFile } from '../../core/index.ts';
import { SoftwareKeyStore } from '../../device/index.ts';
import { createSensor, enrollmentProofMessage, VirtualDevice, type SensorKind } from '../../device/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import type { DeviceMetadata } from './metadata.ts';
import type { DevicesHub } from './service.ts';

export interface DemoDevice {
  org: 'santander' | 'fujisawa';
  id: string;
  kind: SensorKind;
  /** Friendly name and GeoJSON position ([lon, lat]) the console draws on its map. */
  name: string;
  at: [number, number];
}

export const DEMO_CITIES = [
  { org: 'santander', name: 'Santander' },
  { org: 'fujisawa', name: 'Fujisawa' },
] as const;

/** The demo devices: their ids are also their twin providers (readings name `id/service/resource`). */
export const DEMO_DEVICES: readonly DemoDevice[] = [
  {
    org: 'santander',
    id: 'santander-temperature-1',
    kind: 'temperature',
    name: 'Santander temperature, Plaza del Ayuntamiento',
    at: [-3.8044, 43.4623],
  },
  {
    org: 'santander',
    id: 'santander-air-quality-2',
    kind: 'air-quality',
    name: 'Santander air quality, Calle Castelar',
    at: [-3.7936, 43.4647],
  },
  {
    org: 'santander',
    id: 'santander-parking-3',
    kind: 'parking',
    name: 'Santander parking, Plaza de Alfonso XIII',
    at: [-3.8076, 43.4612],
  },
  {
    org: 'fujisawa',
    id: 'fujisawa-potentiometer-1',
    kind: 'potentiometer',
    name: 'Fujisawa M-Sec gateway potentiometer, Shonandai',
    at: [139.4661, 35.3963],
  },
  {
    org: 'fujisawa',
    id: 'fujisawa-temperature-2',
    kind: 'temperature',
    name: 'Fujisawa temperature, Fujisawa station',
    at: [139.4878, 35.3392],
  },
  {
    org: 'fujisawa',
    id: 'fujisawa-air-quality-3',
    kind: 'air-quality',
    name: 'Fujisawa air quality, Enoshima',
    at: [139.4802, 35.3003],
  },
];
const TICK_MS = 1000;
/** Cheap key derivation: demo keys are throwaway and the demo must start within seconds. */
const DEMO_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

export class DeviceDemo {
  private timer: NodeJS.Timeout | undefined;
  private readonly devices: VirtualDevice[] = [];
  private readonly stores: SoftwareKeyStore[] = [];
  private ticks = 0;
  private busy = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ModuleContext,
    private readonly hub: DevicesHub,
  ) {}

  async start(): Promise<void> {
    const dir = join(this.ctx.config.dataDir, 'demo-devices');
    const passFile = join(dir, 'passphrase');
    let passphrase = readTextIfExists(passFile)?.trim();
    if (!passphrase) {
      passphrase = newSecret(24);
      writePrivateFile(passFile, passphrase);
    }
    for (const city of DEMO_CITIES) {
      if (!(await this.ctx.services.get(IAM).directory.getOrg(city.org)))
        await this.ctx.services.get(IAM).directory.createOrg({ id: city.org, name: city.name, kind: 'city' });
    }
    for (const d of DEMO_DEVICES) {
      const store = await SoftwareKeyStore.open({ dir: join(dir, d.id), passphrase, scrypt: DEMO_SCRYPT });
      this.stores.push(store);
      const sensor = createSensor(d.kind);
      if (!(await this.hub.registry.get(d.id)))
        await this.enroll(d.org, d.id, store, { ...(sensor.describe(d.id, d.at) as DeviceMetadata), name: d.name });
      this.devices.push(new VirtualDevice(d.id, store, 'signing', sensor));
    }
    this.ctx.logger.info({ devices: this.devices.map((d) => d.deviceId) }, 'demo devices publishing signed readings');
    this.timer = setInterval(() => {
      this.ticking = this.tick().catch((err: unknown) => this.ctx.logger.warn({ err }, 'demo tick failed'));
    }, TICK_MS);
    this.timer.unref();
  }

  /** A running demo device by id. */
  device(id: string): VirtualDevice | undefined {
    return this.devices.find((d) => d.deviceId === id);
  }

  /** Stops the timer, lets a tick in flight finish, then closes the key stores. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.all(this.stores.map((s) => s.close()));
  }

  private async enroll(
    org: string,
    deviceId: string,
    store: SoftwareKeyStore,
    metadata: DeviceMetadata,
  ): Promise<void> {
    const key = await store.ensureSigningKey('signing');
    const { token } = await this.hub.tokens.create({ org, ttlSeconds: 300, maxUses: 1, createdBy: 'demo' });
    const s = await this.hub.enrollment.start(token);
    const proof = await store.sign('signing', enrollmentProofMessage(s.sessionId, s.nonce, deviceId));
    await this.hub.enrollment.finish({
      sessionId: s.sessionId,
      deviceId,
      keystore: 'software',
      signingKey: key.jwk,
      proof: Buffer.from(proof).toString('base64url'),
      metadata,
    });
  }

  private async tick(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    this.ticks++;
    try {
      for (const [i, device] of this.devices.entries()) {
        if (!this.timer) return;
        await this.send(await device.nextReading());
        // Now and then one device misbehaves: a forged signature, or an old reading sent again.
        if (this.ticks % 15 === 0 && i === this.ticks % this.devices.length)
          await this.send(await device.tamperedReading());
        if (this.ticks % 20 === 0 && i === (this.ticks + 1) % this.devices.length) {
          const old = device.replayedReading();
          if (old) await this.send(old);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async send(bytes: Uint8Array): Promise<void> {
    try {
      await this.hub.ingestor.ingest(bytes, { transport: 'http', ip: '127.0.0.1' });
    } catch (err) {
      if (!isMsecError(err)) this.ctx.logger.warn({ err }, 'demo reading failed');
    }
  }
}
