/**
 * `msec up --demo`, CA part: two demo devices get short-lived client certificates from msec's CA
 * (their own P-256 TLS keys, bound to the devices by the CA) and one of them connects to the
 * hub's mTLS MQTT listener and publishes a signed reading. Certificates and keys are left under
 * <dataDir>/demo-devices/<id>/ so `mosquitto_pub --cert ... --key ... --cafile ...` can try too.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { writePrivateFile, type ModuleContext } from '../../core/index.ts';
import { createCsr, type CertificateAuthority } from '../../ca/index.ts';
import type { VirtualDevice } from '../../device/index.ts';
import type { DevicesHub } from './service.ts';

export const DEMO_MTLS_DEVICES = ['santander-temperature-1', 'fujisawa-potentiometer-1'] as const;

export interface DemoMtlsResult {
  /** Device id → certificate serial. */
  issued: Record<string, string>;
  /** What the device's publish over mTLS gave: 'published' or the failure. */
  outcome: string;
}

function publishOverMtls(port: number, ca: string, cert: string, key: string, topic: string, payload: Buffer) {
  return new Promise<string>((resolve) => {
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      ca,
      cert,
      key,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
    });
    let settled = false;
    const done = (v: string) => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve(v);
    };
    client.once('connect', () =>
      client.publish(topic, payload, { qos: 1 }, (err) => done(err ? `publish failed: ${err.message}` : 'published')),
    );
    client.once('error', (err) => done(err.message));
    client.once('close', () => done('closed'));
  });
}

export async function startDemoMtls(
  ctx: ModuleContext,
  hub: DevicesHub,
  ca: CertificateAuthority,
  mtlsPort: number,
  device: (id: string) => VirtualDevice | undefined,
): Promise<DemoMtlsResult> {
  const issued: Record<string, string> = {};
  const files: Record<string, { cert: string; key: string }> = {};
  for (const id of DEMO_MTLS_DEVICES) {
    const rec = await hub.registry.get(id);
    if (!rec) continue;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = await ca.issueClient({
      csr: await createCsr(privateKey, publicKey, id),
      holder: { kind: 'device', id, name: id, principalId: rec.principalId, org: rec.org },
      enrolledKey: await ca.deviceKeys?.(id),
    });
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const dir = join(ctx.config.dataDir, 'demo-devices', id);
    writePrivateFile(join(dir, 'client.crt'), cert.pem);
    writePrivateFile(join(dir, 'client.key'), key);
    writePrivateFile(join(dir, 'ca.pem'), ca.pem);
    issued[id] = cert.serial;
    files[id] = { cert: cert.pem, key };
  }
  const first = DEMO_MTLS_DEVICES[0];
  const d = device(first);
  let outcome = 'not tried: the device is not running';
  if (files[first] && d) {
    outcome = await publishOverMtls(
      mtlsPort,
      ca.pem,
      files[first].cert,
      files[first].key,
      `devices/${first}/readings`,
      Buffer.from(await d.nextReading()),
    );
  }
  ctx.logger.info(
    { issued, port: mtlsPort, outcome },
    `demo: ${first} ${outcome} over mTLS MQTT with its CA certificate`,
  );
  return { issued, outcome };
}
