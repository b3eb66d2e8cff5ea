/**
 * The device simulator: enrolls N virtual devices with one enrollment token and makes them publish
 * signed readings over HTTP or MQTT at a given rate, optionally mixing in tampered and replayed
 * readings. Counts what the hub accepted and refused (by code over HTTP; over MQTT a refusal closes
 * the connection and carries no code).
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MsecError } from '../../core/errors.ts';
import type { DeviceKeyStore } from '../keystore/keystore.ts';
import { SoftwareKeyStore, type ScryptParams } from '../keystore/software.ts';
import { TpmKeyStore } from '../keystore/tpm.ts';
import type { TpmConnectOptions } from '../tpm/index.ts';
import { CredentialSource } from './credential.ts';
import { enrollDevice } from './enroll.ts';
import { HubClient } from './hub-client.ts';
import { MqttDevicePublisher } from './mqtt-publisher.ts';
import { SENSOR_KINDS, createSensor } from './sensors.ts';
import { VirtualDevice } from './virtual-device.ts';

export interface SimulationOptions {
  hub: string;
  token: string;
  count: number;
  /** Readings per second per device. */
  rate: number;
  durationSeconds: number;
  transport: 'http' | 'mqtt';
  mqttUrl?: string;
  keystore: 'software' | 'tpm';
  /** Software key stores go under this directory, one per device. */
  keystoreDir: string;
  passphrase?: string;
  scrypt?: ScryptParams;
  tpm?: TpmConnectOptions;
  tamper?: boolean;
  replay?: boolean;
  idPrefix?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface SimulationSummary {
  devices: string[];
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  /** Readings sent over MQTT: accepted means PUBACKed after verification, refused means the hub closed the connection. */
  published: number;
}

/** MQTT 3.1.1 carries no reason for a refused PUBLISH: the hub closes the connection (the reason is in its audit log). */
export const MQTT_REFUSED = 'CLOSED_BY_HUB';

type Kind = 'genuine' | 'tampered' | 'replayed';

export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 1000)
    throw new MsecError('VALIDATION_FAILED', 'count must be 1-1000');
  if (!(opts.rate > 0) || opts.rate > 1000)
    throw new MsecError('VALIDATION_FAILED', 'rate must be above 0 and at most 1000 per second');
  if (opts.transport === 'mqtt' && !opts.mqttUrl)
    throw new MsecError('VALIDATION_FAILED', 'MQTT transport needs --mqtt-url');
  const progress = opts.onProgress ?? (() => undefined);
  const prefix = opts.idPrefix ?? `sim-${randomBytes(3).toString('hex')}`;
  const summary: SimulationSummary = { devices: [], sent: 0, accepted: 0, refused: {}, published: 0 };
  const stores: DeviceKeyStore[] = [];
  const publishers: MqttDevicePublisher[] = [];
  const tpm =
    opts.keystore === 'tpm'
      ? await TpmKeyStore.open({ stateDir: join(opts.keystoreDir, 'tpm'), tpm: opts.tpm ?? { kind: 'device' } })
      : undefined;
  if (tpm) stores.push(tpm);
  try {
    const devices: Array<{ device: VirtualDevice; credential: CredentialSource; mqtt?: MqttDevicePublisher }> = [];
    for (let i = 0; i < opts.count; i++) {
      const deviceId = `${prefix}-${i + 1}`;
      const kind = SENSOR_KINDS[i % SENSOR_KINDS.length]!;
      const sensor = createSensor(kind);
      let keyStore: DeviceKeyStore;
      let signingLabel = 'signing';
      let attestationLabel = 'attestation';
      if (tpm) {
        keyStore = tpm;
        signingLabel = `${deviceId}.sig`;
        attestationLabel = `${deviceId}.ak`;
      } else {
        keyStore = await SoftwareKeyStore.open({
          dir: join(opts.keystoreDir, deviceId),
          passphrase: opts.passphrase ?? randomBytes(16).toString('hex'),
          ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
        });
        stores.push(keyStore);
      }
      let enrolled;
      try {
        enrolled = await enrollDevice({
          hub: opts.hub,
          token: opts.token,
          deviceId,
          keyStore,
          metadata: sensor.describe(deviceId),
          signingLabel,
          attestationLabel,
        });
      } catch (err) {
        // A device the hub refused leaves no key material behind.
        if (!tpm) {
          stores.pop();
          await keyStore.close().catch(() => undefined);
          rmSync(join(opts.keystoreDir, deviceId), { recursive: true, force: true });
        }
        throw err;
      }
      progress(
        `enrolled ${deviceId} (${kind}, ${enrolled.keystore} key store, ${enrolled.attestation}) in ${enrolled.org}`,
      );
      const credential = new CredentialSource(keyStore, signingLabel, deviceId);
      const entry: (typeof devices)[number] = {
        device: new VirtualDevice(deviceId, keyStore, signingLabel, sensor),
        credential,
      };
      if (opts.transport === 'mqtt') {
        entry.mqtt = await MqttDevicePublisher.connect(opts.mqttUrl!, deviceId, () => credential.get());
        publishers.push(entry.mqtt);
      }
      devices.push(entry);
      summary.devices.push(deviceId);
    }

    const hub = new HubClient(opts.hub);
    const intervalMs = 1000 / opts.rate;
    const end = Date.now() + opts.durationSeconds * 1000;
    let round = 0;
    while (Date.now() < end && !opts.signal?.aborted) {
      const started = Date.now();
      round++;
      await Promise.all(
        devices.map(async ({ device, credential, mqtt }) => {
          const batch: Array<{ kind: Kind; bytes: Uint8Array }> = [
            { kind: 'genuine', bytes: await device.nextReading() },
          ];
          // Every third round (from the second), misbehave as asked: a forged copy and/or an old reading again.
          if (opts.tamper && round % 3 === 2) batch.push({ kind: 'tampered', bytes: await device.tamperedReading() });
          const old = opts.replay && round % 3 === 2 ? device.replayedReading() : undefined;
          if (old) batch.push({ kind: 'replayed', bytes: old });
          for (const { bytes } of batch) {
            summary.sent++;
            if (mqtt) {
              summary.published++;
              if ((await mqtt.publish(bytes)) === 'accepted') summary.accepted++;
              else summary.refused[MQTT_REFUSED] = (summary.refused[MQTT_REFUSED] ?? 0) + 1;
              continue;
            }
            try {
              await hub.cose('/readings', bytes, await credential.get());
              summary.accepted++;
            } catch (err) {
              const code = err instanceof MsecError ? err.code : 'CLIENT_ERROR';
              summary.refused[code] = (summary.refused[code] ?? 0) + 1;
              if (code === 'HUB_UNREACHABLE') throw err;
            }
          }
        }),
      );
      if (round % Math.max(1, Math.round(opts.rate * 5)) === 0) progress(progressLine(summary));
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    progress(progressLine(summary));
    return summary;
  } finally {
    for (const p of publishers) await p.close().catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
  }
}

export function progressLine(s: SimulationSummary): string {
  const refused = Object.entries(s.refused)
    .map(([code, n]) => `${code}=${n}`)
    .join(' ');
  const mqtt = s.published > 0 ? `, published over MQTT ${s.published}` : '';
  return `sent ${s.sent}${mqtt}, accepted ${s.accepted}, refused ${Object.values(s.refused).reduce((a, b) => a + b, 0)}${refused ? ` (${refused})` : ''}`;
}
