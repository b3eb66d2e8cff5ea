/**
 * End to end over MQTT with the real device side: a `msec up` process, devices enrolled and
 * publishing through `msec device simulate --transport mqtt`, a consumer reading with
 * mosquitto_sub under an access rule made over REST, and mosquitto_pub interop with a reading
 * signed by a device key.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeviceCredential, createSensor, SoftwareKeyStore, VirtualDevice } from '../src/device/index.ts';
import { runMsec } from './helpers/cli.ts';
import {
  createPrincipalWithKey,
  enrollmentToken,
  startMsecUp,
  tempDataDir,
  type MsecProcess,
  removeTempDirs,
} from './helpers/e2e-platform.ts';
import { runTool } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

const PASSPHRASE = 'e2e device passphrase';

describe('MQTT end to end: msec up, simulated devices, mosquitto clients', () => {
  let hub: MsecProcess;
  let consumer: { id: string; key: string };
  let stranger: { id: string; key: string };
  let admin: string;
  const work = tempDataDir('msec-e2e-mqtt-work-');
  const passFile = join(work, 'passphrase');
  const keysDir = join(work, 'keys');

  beforeAll(async () => {
    writeFileSync(passFile, PASSPHRASE, { mode: 0o600 });
    hub = await startMsecUp();
    admin = await hub.adminToken();
    expect(
      (
        await hub.api('POST', '/api/v1/orgs', {
          token: admin,
          body: { id: 'santander', name: 'Santander', kind: 'city' },
        })
      ).status,
    ).toBe(201);
    consumer = await createPrincipalWithKey(hub, 'buyer', 'buyer-app', ['consumer']);
    stranger = await createPrincipalWithKey(hub, 'buyer', 'buyer-other', ['consumer']);
    const rule = await hub.api('POST', '/api/v1/access-rules', {
      token: admin,
      body: {
        org: 'santander',
        principalId: consumer.id,
        provider: '*',
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(rule.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    expect(await hub?.stop()).toBe(0);
    removeTempDirs();
  });

  const simulate = async (extra: string[], count: number) =>
    runMsec(
      [
        'device',
        'simulate',
        '--hub',
        hub.base,
        '--token',
        await enrollmentToken(hub, 'santander', count),
        '--count',
        String(count),
        '--rate',
        '4',
        '--duration',
        '2',
        '--transport',
        'mqtt',
        '--mqtt-url',
        `mqtt://127.0.0.1:${hub.mqttPort}`,
        '--keystore-dir',
        keysDir,
        '--passphrase-file',
        passFile,
        ...extra,
      ],
      { timeoutMs: 40_000 },
    );

  it('a granted consumer receives simulated devices’ readings with mosquitto_sub; a principal without a grant is refused', async () => {
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(hub.mqttPort),
      '-u',
      'x',
      '-P',
      consumer.key,
      '-t',
      'data/santander/#',
      '-C',
      '6',
      '-W',
      '40',
      '-q',
      '1',
      '-V',
      'mqttv311',
    ]);
    let out = '';
    let err = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sub.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((r) => sub.on('close', r));
    // The run publishes about 24 readings over 2 s, so a subscription that settles late still sees 6.

    const sim = await simulate([], 3);
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    const ids = [...sim.stdout.matchAll(/enrolled (\S+) \(/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(3);
    const summary = /summary: 3 devices; sent (\d+), published over MQTT (\d+), accepted (\d+), refused 0/.exec(
      sim.stdout,
    );
    expect(summary).not.toBeNull();
    // QoS 1: every reading was acknowledged by the hub after verification.
    expect(Number(summary![3])).toBe(Number(summary![1]));

    expect(await done).toBe(0);
    expect(err).toBe('');
    const messages = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { deviceId: string; signature: string; provider: string });
    expect(messages).toHaveLength(6);
    for (const m of messages) {
      expect(ids).toContain(m.deviceId);
      expect(m.signature).toBe('verified');
    }

    // Every simulated device's readings are on record (history through REST).
    const devices = (await hub.api('GET', '/api/v1/devices?org=santander', { token: admin })).body.items as Array<{
      id: string;
    }>;
    expect(devices.map((d) => d.id).sort()).toEqual([...ids].sort());

    const refused = await runTool(
      'mosquitto_sub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(hub.mqttPort),
        '-u',
        'x',
        '-P',
        stranger.key,
        '-t',
        'data/santander/#',
        '-C',
        '1',
        '-W',
        '3',
        '-V',
        'mqttv311',
      ],
      6000,
    );
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/denied/i);
    const audit = await hub.api('GET', `/api/v1/audit?action=hub:mqtt:subscribe-denied&outcome=denied`, {
      token: admin,
    });
    expect(audit.body.items.some((e: { actorId: string | null }) => e.actorId === stranger.id)).toBe(true);
  }, 60_000);

  it('--tamper and --replay over MQTT are refused, with the reason in the audit log', async () => {
    const since = Date.now();
    const sim = await simulate(['--tamper', '--replay'], 2);
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    const ids = [...sim.stdout.matchAll(/enrolled (\S+) \(/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    // The hub closes the connection on a refused reading (MQTT 3.1.1 has no PUBACK reason); the devices reconnect and go on.
    const summary =
      /summary: 2 devices; sent \d+, published over MQTT \d+, accepted (\d+), refused (\d+) \(CLOSED_BY_HUB=\d+\)/.exec(
        sim.stdout,
      );
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(4);
    expect(Number(summary![2])).toBeGreaterThanOrEqual(2);
    await waitFor(
      async () => {
        const r = await hub.api(
          'GET',
          `/api/v1/audit?action=hub:reading:ingest&outcome=denied&since=${since}&limit=500`,
          { token: admin },
        );
        const codes = new Set(
          (r.body.items as Array<{ detail: { code: string; transport: string } }>)
            .filter((e) => e.detail.transport === 'mqtt')
            .map((e) => e.detail.code),
        );
        return codes.has('COSE_BAD_SIGNATURE') && codes.has('READING_REPLAYED');
      },
      10_000,
      'tampered and replayed readings refused over MQTT',
    );
    const denied = (
      await hub.api('GET', `/api/v1/audit?action=hub:reading:ingest&outcome=denied&since=${since}&limit=500`, {
        token: admin,
      })
    ).body.items as Array<{ resource: string; detail: { reason: string } }>;
    expect(denied.every((e) => ids.some((id) => e.resource === `device id=${id}`) && e.detail.reason.length > 0)).toBe(
      true,
    );
    // Genuine readings of the same run were accepted all the same.
    for (const id of ids) {
      const h = await hub.api('GET', `/api/v1/providers/${id}`, { token: admin });
      expect(h.status).toBe(200);
    }
  }, 60_000);

  it('mosquitto_pub -f with a device credential: a signed reading is accepted, a tampered one refused', async () => {
    const deviceId = 'pub-air-1';
    const sim = await runMsec([
      'device',
      'enroll',
      '--hub',
      hub.base,
      '--token',
      await enrollmentToken(hub, 'santander'),
      '--device-id',
      deviceId,
      '--keystore-dir',
      join(work, deviceId),
      '--passphrase-file',
      passFile,
    ]);
    expect(sim.stdout).toContain(`enrolled ${deviceId} in santander`);
    const store = await SoftwareKeyStore.open({ dir: join(work, deviceId), passphrase: PASSPHRASE });
    try {
      const device = new VirtualDevice(deviceId, store, 'signing', createSensor('air-quality'));
      const credential = await createDeviceCredential(store, 'signing', deviceId);
      const good = join(work, 'good.cose');
      const bad = join(work, 'bad.cose');
      writeFileSync(good, await device.nextReading());
      writeFileSync(bad, await device.tamperedReading());
      const pub = (file: string) =>
        runTool(
          'mosquitto_pub',
          [
            '-h',
            '127.0.0.1',
            '-p',
            String(hub.mqttPort),
            '-i',
            `${deviceId}-pub`,
            '-u',
            deviceId,
            '-P',
            credential,
            '-t',
            `devices/${deviceId}/readings`,
            '-f',
            file,
            '-q',
            '1',
            '-V',
            'mqttv311',
          ],
          8000,
        );

      const ok = await pub(good);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      await waitFor(
        async () => {
          const r = await hub.api('GET', `/api/v1/providers/${deviceId}/services/air/resources/pm25/history`, {
            token: admin,
          });
          return r.status === 200 && r.body.items.length === 1;
        },
        10_000,
        'the mosquitto_pub reading in history',
      );
      const point = (
        await hub.api('GET', `/api/v1/providers/${deviceId}/services/air/resources/pm25/history`, { token: admin })
      ).body.items[0];
      expect(point).toMatchObject({ deviceId, signature: 'verified' });

      const since = Date.now() - 1;
      await pub(bad);
      await waitFor(
        async () => {
          const r = await hub.api('GET', `/api/v1/audit?action=hub:reading:ingest&outcome=denied&since=${since}`, {
            token: admin,
          });
          return (r.body.items as Array<{ resource: string; detail: { code: string } }>).some(
            (e) => e.resource === `device id=${deviceId}` && e.detail.code === 'COSE_BAD_SIGNATURE',
          );
        },
        10_000,
        'the tampered reading refused',
      );
      const history = await hub.api('GET', `/api/v1/providers/${deviceId}/services/air/resources/pm25/history`, {
        token: admin,
      });
      expect(history.body.items).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);
});
