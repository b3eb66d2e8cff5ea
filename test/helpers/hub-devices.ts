/**
 * A small but real device side of the hub for the data side's tests, until the devices module
 * lands: devices with software key stores, COSE-signed readings verified with their public
 * keys, replay refusal by counter, and ES256 JWS CONNECT credentials. Registers the contract
 * services `hub.ingest` and `hub.device-auth` exactly as the devices module will.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { MsecError } from '../../src/core/index.ts';
import { SoftwareKeyStore, signReading, verifyReading } from '../../src/device/index.ts';
import type { ModuleContext, PlatformModule, Subject } from '../../src/iam/index.ts';
import { SERVICE_NAMES, SUBJECTS, type AcceptedReading, type DeviceAuthenticator, type IngestContext, type ReadingIngestor, type ReadingSink } from '../../src/hub/contracts.ts';

interface Registered {
  org: string;
  publicKey: KeyObject;
  lastCounter: number;
}

const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export class TestDeviceSide implements ReadingIngestor, DeviceAuthenticator {
  readonly devices = new Map<string, Registered>();
  private ctx: ModuleContext | undefined;
  accepted = 0;

  module(): PlatformModule {
    return {
      name: 'test-hub-devices',
      start: async (ctx) => {
        this.ctx = ctx;
        ctx.services.set(SERVICE_NAMES.ingest, this);
        ctx.services.set(SERVICE_NAMES.deviceAuth, this);
        ctx.services.set(SERVICE_NAMES.devices, this);
      },
    };
  }

  register(deviceId: string, org: string, publicKey: KeyObject): void {
    this.devices.set(deviceId, { org, publicKey, lastCounter: -1 });
  }

  /** The device's public key as JWK (what federation exports with kept signatures). */
  async publicKeyJwk(deviceId: string): Promise<Record<string, unknown> | undefined> {
    return this.devices.get(deviceId)?.publicKey.export({ format: 'jwk' }) as Record<string, unknown> | undefined;
  }

  async ingest(bytes: Uint8Array, ictx: IngestContext): Promise<AcceptedReading> {
    const ctx = this.ctx!;
    try {
      const { reading } = await verifyReading(bytes, (kid) => this.devices.get(kid)?.publicKey);
      const dev = this.devices.get(reading.deviceId)!;
      if (ictx.subject && ictx.subject.kind === 'device' && ictx.subject.id !== reading.deviceId) throw new MsecError('READING_NOT_YOURS', 'reading signed by another device', { status: 403 });
      if (reading.counter <= dev.lastCounter) throw new MsecError('READING_REPLAYED', 'counter already seen', { status: 409 });
      dev.lastCounter = reading.counter;
      const [provider, service, resource] = reading.resource.split('/') as [string, string, string];
      const accepted: AcceptedReading = {
        deviceId: reading.deviceId, org: dev.org, provider, service, resource, value: reading.value, unit: reading.unit,
        timestamp: reading.timestamp, counter: reading.counter, receivedAt: ctx.clock.now(), transport: ictx.transport,
        signature: 'verified', attestation: 'unattested', cose: bytes,
      };
      this.accepted++;
      // As the real ingest path does: stored before acknowledged, then announced.
      await (ctx.services.get(SERVICE_NAMES.readingSink) as ReadingSink | undefined)?.accept(accepted);
      await ctx.bus.publish(SUBJECTS.readingAccepted, accepted);
      return accepted;
    } catch (err) {
      await ctx.bus.publish(SUBJECTS.readingRejected, { code: (err as MsecError).code ?? 'READING_INVALID', message: String(err), transport: ictx.transport, at: Date.now() });
      throw err;
    }
  }

  async authenticateDevice(deviceId: string, credential: string): Promise<Subject> {
    const dev = this.devices.get(deviceId);
    const parts = credential.split('.');
    if (!dev || parts.length !== 3) throw new MsecError('INVALID_CREDENTIALS', 'unknown device or malformed credential');
    const ok = nodeVerify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: dev.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { sub?: string; exp?: number };
    if (!ok || claims.sub !== deviceId || !claims.exp || claims.exp * 1000 < Date.now()) throw new MsecError('INVALID_CREDENTIALS', 'bad device credential');
    return { id: deviceId, name: deviceId, kind: 'device', org: dev.org, roles: ['device'], via: 'device' };
  }
}

/** A simulated device: a software key store, a counter, signed readings and CONNECT credentials. */
export class SimDevice {
  private counter = 0;
  private constructor(readonly id: string, readonly org: string, private readonly keys: SoftwareKeyStore, private readonly dir: string) {}

  static async create(side: TestDeviceSide | undefined, id: string, org: string): Promise<SimDevice> {
    const dir = mkdtempSync(join(tmpdir(), 'msec-simdev-'));
    const keys = await SoftwareKeyStore.open({ dir, passphrase: 'test-device', scrypt: { N: 1024, r: 8, p: 1 } });
    const info = await keys.ensureSigningKey('signing');
    side?.register(id, org, info.publicKey);
    return new SimDevice(id, org, keys, dir);
  }

  async publicKey(): Promise<KeyObject> {
    return (await this.keys.getPublicKey('signing'))!.publicKey;
  }

  reading(resource: string, value: number | string | boolean, timestamp = Date.now(), unit?: string): Promise<Uint8Array> {
    return signReading(this.keys, 'signing', this.id, { deviceId: this.id, resource, value, counter: ++this.counter, timestamp, ...(unit ? { unit } : {}) });
  }

  async credential(ttlSeconds = 300): Promise<string> {
    const head = `${b64(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64(JSON.stringify({ sub: this.id, exp: Math.floor(Date.now() / 1000) + ttlSeconds }))}`;
    return `${head}.${b64(await this.keys.sign('signing', Buffer.from(head)))}`;
  }

  async close(): Promise<void> {
    await this.keys.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
