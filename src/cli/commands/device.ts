import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { readTextIfExists, writePrivateFile } from '../../core/files.ts';
import { SoftwareKeyStore, TpmKeyStore, type DeviceKeyStore, type TpmConnectOptions } from '../../device/index.ts';
import {
  answerAttestation,
  enrollDevice,
  progressLine,
  runSimulation,
  type DeviceDescription,
} from '../../device/simulator/index.ts';
import type { CliIo } from '../io.ts';
import { parsePositiveInt, parsePositiveNumber } from '../options.ts';

/** `swtpm:host=H,port=P` or `device[:PATH]` (default /dev/tpmrm0). */
export function parseTpmOption(value: string): TpmConnectOptions {
  const swtpm = /^swtpm:host=([A-Za-z0-9.:-]{1,253}),port=(\d{1,5})$/.exec(value);
  if (swtpm && Number(swtpm[2]) <= 65535) return { kind: 'swtpm', host: swtpm[1]!, port: Number(swtpm[2]) };
  const dev = /^device(?::(\/[\w./-]{1,200}))?$/.exec(value);
  if (dev) return dev[1] ? { kind: 'device', path: dev[1] } : { kind: 'device' };
  throw new InvalidArgumentError('must be swtpm:host=H,port=P or device[:/dev/tpmrm0]');
}

function keystoreKind(value: string): 'software' | 'tpm' {
  if (value !== 'software' && value !== 'tpm') throw new InvalidArgumentError('must be software or tpm');
  return value;
}

function transportKind(value: string): 'http' | 'mqtt' {
  if (value !== 'http' && value !== 'mqtt') throw new InvalidArgumentError('must be http or mqtt');
  return value;
}

function readPassphrase(file: string | undefined): string | undefined {
  if (file) {
    if (!existsSync(file)) throw new MsecError('VALIDATION_FAILED', `passphrase file not found: ${file}`);
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  }
  return process.env.MSEC_DEVICE_PASSPHRASE || undefined;
}

function readMetadata(file: string | undefined, deviceId: string): DeviceDescription {
  if (!file) return { name: deviceId, type: 'other', transducers: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MsecError('VALIDATION_FAILED', `metadata file ${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MsecError('VALIDATION_FAILED', 'metadata must be a JSON object');
  // The hub validates the SOX fields and answers with the exact problem.
  return parsed as DeviceDescription;
}

interface KeystoreOptions {
  keystore: 'software' | 'tpm';
  keysDir?: string;
  /** The former name of --keys-dir. */
  keystoreDir?: string;
  dataDir?: string;
  passphraseFile?: string;
  tpm?: TpmConnectOptions;
}

/** Device keys live under the data directory unless told otherwise, never in the working directory. */
function keysDirOf(o: KeystoreOptions): string {
  return resolve(o.keysDir ?? o.keystoreDir ?? join(o.dataDir ?? process.env.MSEC_DATA_DIR ?? './data', 'device-keys'));
}

async function openKeyStore(o: KeystoreOptions): Promise<DeviceKeyStore> {
  const dir = keysDirOf(o);
  if (o.keystore === 'tpm') return TpmKeyStore.open({ stateDir: dir, tpm: o.tpm ?? { kind: 'device' } });
  const passphrase = readPassphrase(o.passphraseFile);
  if (!passphrase)
    throw new MsecError('VALIDATION_FAILED', 'a software key store needs --passphrase-file or MSEC_DEVICE_PASSPHRASE');
  return SoftwareKeyStore.open({ dir, passphrase });
}

function withKeystoreOptions(cmd: Command): Command {
  return cmd
    .option('--keystore <kind>', 'software or tpm', keystoreKind, 'software' as const)
    .option('--keys-dir <dir>', 'where the key store keeps its files (default <data dir>/device-keys)')
    .addOption(new Option('--keystore-dir <dir>').hideHelp())
    .option('--data-dir <dir>', 'data directory (env MSEC_DATA_DIR, default ./data)')
    .option('--passphrase-file <file>', 'passphrase of a software key store (or env MSEC_DEVICE_PASSPHRASE)')
    .option('--tpm <where>', 'TPM to use: swtpm:host=H,port=P or device[:/dev/tpmrm0]', parseTpmOption);
}

export function registerDeviceCommands(program: Command, io: CliIo): void {
  const device = program
    .command('device')
    .description('device side: enroll with a hub, answer attestation, simulate devices');

  withKeystoreOptions(
    device
      .command('enroll')
      .description('create keys in the key store and enroll this device with a hub using a one-time token')
      .requiredOption('--hub <url>', 'hub base URL, e.g. http://127.0.0.1:8080')
      .requiredOption('--token <token>', 'one-time enrollment token from an operator')
      .requiredOption('--device-id <id>', 'device id (letters, digits, . _ -)')
      .option('--metadata <file>', 'JSON device description (SOX: name, type, transducers, location)'),
  ).action(async (o: KeystoreOptions & { hub: string; token: string; deviceId: string; metadata?: string }) => {
    const metadata = readMetadata(o.metadata, o.deviceId);
    const keyStore = await openKeyStore(o);
    try {
      const r = await enrollDevice({ hub: o.hub, token: o.token, deviceId: o.deviceId, keyStore, metadata });
      writePrivateFile(
        join(keysDirOf(o), 'device.json'),
        `${JSON.stringify({ deviceId: r.deviceId, org: r.org, hub: o.hub, keystore: r.keystore, hubKey: r.hubKey }, null, 2)}\n`,
      );
      io.out(`enrolled ${r.deviceId} in ${r.org} with the ${r.keystore} key store (${r.attestation})`);
    } finally {
      await keyStore.close();
    }
  });

  withKeystoreOptions(
    device
      .command('attest')
      .description("answer the hub's pending attestation challenge with a TPM quote")
      .requiredOption('--hub <url>', 'hub base URL')
      .option('--device-id <id>', 'device id (default: from device.json in the key store directory)'),
  ).action(async (o: KeystoreOptions & { hub: string; deviceId?: string }) => {
    const saved = readTextIfExists(join(keysDirOf(o), 'device.json'));
    const deviceId = o.deviceId ?? (saved ? (JSON.parse(saved) as { deviceId?: string }).deviceId : undefined);
    if (!deviceId)
      throw new MsecError('VALIDATION_FAILED', 'give --device-id (no device.json in the key store directory)');
    const keyStore = await openKeyStore({ ...o, keystore: 'tpm' });
    try {
      const r = await answerAttestation({ hub: o.hub, deviceId, keyStore: keyStore as TpmKeyStore });
      io.out(
        r.ok
          ? `attestation passed: ${deviceId} is ${r.attestation}`
          : `attestation FAILED: ${deviceId} is ${r.attestation} (${r.code}: ${r.reason})`,
      );
      if (!r.ok) throw new MsecError('ATTESTATION_FAILED', `${deviceId} failed attestation and is quarantined`);
    } finally {
      await keyStore.close();
    }
  });

  withKeystoreOptions(
    device
      .command('simulate')
      .description('enroll N virtual devices and publish signed readings (optionally tampered and replayed ones)')
      .requiredOption('--hub <url>', 'hub base URL')
      .requiredOption('--token <token>', 'enrollment token allowing at least N uses')
      .option('--count <n>', 'number of devices', parsePositiveInt, 1)
      .option('--rate <r>', 'readings per second per device', parsePositiveNumber, 1)
      .option('--duration <s>', 'seconds to run', parsePositiveNumber, 10)
      .option('--transport <t>', 'http or mqtt', transportKind, 'http' as const)
      .option('--mqtt-url <url>', 'hub MQTT URL', 'mqtt://127.0.0.1:1884')
      .option('--tamper', 'also send readings with forged signatures')
      .option('--replay', 'also resend old readings'),
  ).action(
    async (
      o: KeystoreOptions & {
        hub: string;
        token: string;
        count: number;
        rate: number;
        duration: number;
        transport: 'http' | 'mqtt';
        mqttUrl: string;
        tamper?: boolean;
        replay?: boolean;
      },
    ) => {
      const passphrase = o.keystore === 'software' ? readPassphrase(o.passphraseFile) : undefined;
      const summary = await runSimulation({
        hub: o.hub,
        token: o.token,
        count: o.count,
        rate: o.rate,
        durationSeconds: o.duration,
        transport: o.transport,
        mqttUrl: o.mqttUrl,
        keystore: o.keystore,
        keystoreDir: keysDirOf(o),
        ...(passphrase ? { passphrase } : {}),
        ...(o.tpm ? { tpm: o.tpm } : {}),
        tamper: o.tamper ?? false,
        replay: o.replay ?? false,
        onProgress: (line) => io.out(line),
      });
      io.out(`summary: ${summary.devices.length} devices; ${progressLine(summary)}`);
    },
  );
}
