/**
 * Issue 14 (device and service CA): a device gets a short-lived client certificate from msec's
 * CA and connects to the hub's mTLS MQTT listener (mqtt.js and, independently, mosquitto_pub) and
 * publishes over mTLS HTTPS; after revocation it is refused at the next connection, and a
 * foreign-CA certificate and an expired one are refused by TLS. `openssl verify -crl_check`
 * reads our CRL independently.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caModule, createCsr } from '../src/ca/index.ts';
import { x509 } from '../src/ca/x509.ts';
import { HUB_BROKER, HUB_LIVE_FEED } from '../src/hub/index.ts';
import { CHEAP_SCRYPT } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { runTool, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { freePort, waitFor } from './helpers/net.ts';

interface ClientCert {
  serial: string;
  cert: string;
  key: string;
  dir: string;
}

/** The CSR with the last byte of its signature flipped: its proof of possession no longer verifies. */
function tamperedCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

function pemKey(k: { export(o: object): string | Buffer }): string {
  return k.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** mqtt.js over mTLS: resolves 'connected' (and publishes `payload` with QoS 1 first) or the failure. */
function mqttsTry(port: number, ca: string, c: { cert: string; key: string }, topic?: string, payload?: Buffer) {
  return new Promise<string>((resolve) => {
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      ca,
      cert: c.cert,
      key: c.key,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const done = (v: string) => {
      client.end(true);
      resolve(v);
    };
    client.once('connect', () => {
      if (!topic || !payload) return done('connected');
      client.publish(topic, payload, { qos: 1 }, (err) => done(err ? `publish failed: ${err.message}` : 'published'));
    });
    client.once('error', (err) => done(err.message));
    client.once('close', () => done('closed'));
  });
}

function httpsPost(port: number, ca: string, c: { cert: string; key: string }, body: Uint8Array) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/readings',
        method: 'POST',
        ca,
        cert: c.cert,
        key: c.key,
        headers: { 'content-type': 'application/cose' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(body));
  });
}

describe('device certificates from the CA and the hub mTLS listeners', () => {
  let hub: HubTestPlatform;
  const ca = caModule({ scrypt: CHEAP_SCRYPT });
  let mqttsPort = 0;
  let httpsPort = 0;
  let caPem = '';
  let device: SimDevice;
  const accepted: number[] = [];
  /** The broker's refusals (security.hub.*), so a refused connection says why. */
  const refusals: string[] = [];

  async function issue(dev: SimDevice, lifetimeSeconds?: number): Promise<ClientCert> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const res = await hub.request('POST', '/api/v1/ca/certificates', {
      token: await dev.credential(),
      body: { csr: await createCsr(privateKey, publicKey), ...(lifetimeSeconds ? { lifetimeSeconds } : {}) },
    });
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json() as { serial: string; certificate: string; keyBinding: string };
    expect(b.keyBinding).toBe('separate');
    const dir = hub.dataDir;
    writeFileSync(join(dir, `${b.serial}.crt`), b.certificate);
    writeFileSync(join(dir, `${b.serial}.key`), pemKey(privateKey));
    return { serial: b.serial, cert: b.certificate, key: pemKey(privateKey), dir };
  }

  beforeAll(async () => {
    [mqttsPort, httpsPort] = [await freePort(), await freePort()];
    hub = await startHubPlatform({
      config: { mqttMtlsPort: mqttsPort, mtlsHttpPort: httpsPort },
      alsoModules: [ca],
    });
    expect(hub.platform.ctx.services.get(HUB_BROKER)!.mtlsPort).toBe(mqttsPort);
    hub.platform.ctx.bus.subscribe('security.hub.*', (e) => {
      refusals.push(`${e.subject}: ${JSON.stringify(e.data)}`);
    });
    hub.platform.ctx.services.get(HUB_LIVE_FEED).on((r) => void (r.deviceId === 'cam-7' && accepted.push(r.counter)));
    caPem = (await hub.request('GET', '/api/v1/ca/certificate')).body;
    writeFileSync(join(hub.dataDir, 'ca.pem'), caPem);
    device = await SimDevice.create(hub, 'cam-7', 'city-a');
  }, 60_000);

  afterAll(async () => {
    await device?.close();
    await hub?.close();
  });

  it('issues a certificate bound to the device: URI SAN, CN, O, clientAuth, short life, verifies under the root', async () => {
    const c = await issue(device);
    const cert = new x509.X509Certificate(c.cert);
    expect(cert.subject).toBe('CN=cam-7, O=city-a');
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
    expect(san.names.toJSON()).toEqual([{ type: 'url', value: 'urn:msec:device:cam-7' }]);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe((24 * 3600 + 60) * 1000);
    const root = new x509.X509Certificate(caPem);
    expect(await cert.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
    // OpenSSL, independently, accepts the chain for TLS client use.
    const out = execFileSync('openssl', [
      'verify',
      '-purpose',
      'sslclient',
      '-CAfile',
      join(c.dir, 'ca.pem'),
      join(c.dir, `${c.serial}.crt`),
    ]);
    expect(out.toString()).toContain(': OK');
  });

  it('a device connects over mTLS with mqtt.js and mosquitto_pub and publishes; HTTPS mTLS takes readings too', async () => {
    const c = await issue(device);
    const topic = 'devices/cam-7/readings';
    const first = await mqttsTry(mqttsPort, caPem, c, topic, Buffer.from(await device.reading('cam-7/air/pm25', 11)));
    expect(first, refusals.join('\n')).toBe('published');
    await waitFor(async () => accepted.includes(1), 10_000, 'the mqtt.js reading');
    const file = join(c.dir, 'reading.cose');
    writeFileSync(file, await device.reading('cam-7/air/pm25', 12));
    const pub = await runTool(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(mqttsPort),
        '--cafile',
        join(c.dir, 'ca.pem'),
        '--cert',
        join(c.dir, `${c.serial}.crt`),
        '--key',
        join(c.dir, `${c.serial}.key`),
        '-t',
        topic,
        '-f',
        file,
        '-q',
        '1',
        '-V',
        'mqttv311',
      ],
      15_000,
    );
    expect(pub.code, pub.stderr).toBe(0);
    await waitFor(async () => accepted.includes(2), 10_000, 'the mosquitto_pub reading');
    const res = await httpsPost(httpsPort, caPem, c, await device.reading('cam-7/air/pm25', 13));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ deviceId: 'cam-7', counter: 3 });
  });

  it('after revocation the certificate is refused at the next connection, listed in the CRL and by status', async () => {
    const c = await issue(device);
    expect(await mqttsTry(mqttsPort, caPem, c), refusals.join('\n')).toBe('connected');
    const admin = await hub.adminToken();
    const rev = await hub.request('POST', `/api/v1/ca/certificates/${c.serial}/revoke`, {
      token: admin,
      body: { reason: 'keyCompromise' },
    });
    expect(rev.statusCode, rev.body).toBe(200);
    expect(await mqttsTry(mqttsPort, caPem, c)).toMatch(/Not authorized/i);
    const pub = await runTool(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(mqttsPort),
        '--cafile',
        join(c.dir, 'ca.pem'),
        '--cert',
        join(c.dir, `${c.serial}.crt`),
        '--key',
        join(c.dir, `${c.serial}.key`),
        '-t',
        'devices/cam-7/readings',
        '-m',
        'x',
        '-q',
        '1',
        '-V',
        'mqttv311',
      ],
      15_000,
    );
    expect(pub.code).not.toBe(0);
    expect(pub.stderr).toMatch(/not authori[sz]ed/i);
    const http = await httpsPost(httpsPort, caPem, c, await device.reading('cam-7/air/pm25', 14));
    expect(http).toMatchObject({ status: 401, body: { error: { code: 'CA_CERT_REVOKED' } } });
    const status = await hub.request('GET', `/api/v1/ca/status/${c.serial}`);
    expect(status.json()).toMatchObject({ serial: c.serial, status: 'revoked', reason: 'keyCompromise' });
    const crl = await hub.request('GET', '/api/v1/ca/crl');
    expect(crl.headers['content-type']).toBe('application/pkix-crl');
    writeFileSync(join(c.dir, 'crl.der'), crl.rawPayload);
    execFileSync('openssl', ['crl', '-inform', 'DER', '-in', join(c.dir, 'crl.der'), '-out', join(c.dir, 'crl.pem')]);
    const verify = await runTool(
      'openssl',
      [
        'verify',
        '-crl_check',
        '-CAfile',
        join(c.dir, 'ca.pem'),
        '-CRLfile',
        join(c.dir, 'crl.pem'),
        join(c.dir, `${c.serial}.crt`),
      ],
      10_000,
    );
    expect(verify.stdout + verify.stderr).toMatch(/certificate revoked/);
    // The device's other certificates still work: revocation is per certificate.
    expect(await mqttsTry(mqttsPort, caPem, await issue(device))).toBe('connected');
  });

  it('refuses a foreign-CA certificate and an expired one during the TLS handshake', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const foreign = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '0a',
      name: 'CN=cam-7, O=city-a',
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'urn:msec:device:cam-7' }])],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const foreignKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`;
    expect(await mqttsTry(mqttsPort, caPem, { cert: foreign.toString('pem'), key: foreignKey })).not.toMatch(
      /connected/,
    );

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Date.now();
    const expired = await ca.authority().issueClient({
      csr: await createCsr(privateKey, publicKey),
      holder: { kind: 'device', id: 'cam-7', name: 'cam-7', principalId: 'x', org: 'city-a' },
      validity: { notBefore: now - 7200_000, notAfter: now - 3600_000 },
    });
    const outcome = await mqttsTry(mqttsPort, caPem, { cert: expired.pem, key: pemKey(privateKey) });
    expect(outcome).not.toBe('connected');
    const http = await httpsPost(
      httpsPort,
      caPem,
      { cert: expired.pem, key: pemKey(privateKey) },
      new Uint8Array(1),
    ).catch((err: Error) => err.message);
    expect(typeof http === 'string' ? http : `status ${http.status}`).toMatch(
      /socket hang up|ECONNRESET|certificate|alert/i,
    );
  });

  it('refuses people and malformed or foreign-key CSRs with stable codes', async () => {
    const admin = await hub.adminToken();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = await createCsr(privateKey, publicKey);
    const asUser = await hub.request('POST', '/api/v1/ca/certificates', { token: admin, body: { csr } });
    expect(asUser.json()).toMatchObject({ error: { code: 'CA_SUBJECT_UNSUPPORTED' } });
    expect(asUser.statusCode).toBe(403);
    const cred = await device.credential();
    const bad = await hub.request('POST', '/api/v1/ca/certificates', {
      token: cred,
      body: { csr: tamperedCsr(csr) },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'CA_CSR_INVALID' } });
    const notEnrolled = await hub.request('POST', '/api/v1/ca/certificates', {
      token: cred,
      body: { csr, key: 'enrolled' },
    });
    expect(notEnrolled.json()).toMatchObject({ error: { code: 'CA_KEY_MISMATCH' } });
  });
});
