/**
 * A client in another language, written from docs/ alone (test/interop/client.py, Debian's
 * python3-cbor2, python3-cryptography, python3-paho-mqtt), against a running hub with the ledger:
 * enrollment, HTTP and MQTT publishing, a consumer subscription, inclusion and consistency proofs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerModule } from '../src/ledger/index.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { REPO_ROOT } from './helpers/testdata.ts';

const PYTHON = '/usr/bin/python3';
const CLIENT = join(REPO_ROOT, 'test', 'interop', 'client.py');

function runClient(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(PYTHON, [CLIENT, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(kill, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Python client built from the documents', () => {
  let t: HubTestPlatform;

  beforeAll(async () => {
    t = await startHubPlatform({ alsoModules: [ledgerModule({ batchIntervalMs: 300 })] });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('enrolls, publishes over HTTP and MQTT, receives as a consumer and verifies the ledger proofs', async () => {
    const token = await t.enrollmentToken('santander');
    const { key } = await t.principal('santander', 'py-operator', ['operator']);
    const run = await runClient([t.platform.url, String(t.mqttPort), token, key, 'py-sensor-1', 'santander'], 150_000);
    const steps = run.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { step: string }).step);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(steps).toEqual([
      'enrolled',
      'subscribed',
      'published-http',
      'proved-http',
      'published-mqtt',
      'proved-consistency',
      'done',
    ]);
    // The hub, not the client's say-so: both readings are stored under the device.
    const device = await t.devices.registry.get('py-sensor-1');
    expect(device?.lastCounter).toBe(2);
  }, 180_000);
});
