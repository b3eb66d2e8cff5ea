/**
 * The "done when", through the `msec device` commands against a listening platform and
 * swtpm: TPM enrollment, `simulate --count 5` accepted, `--tamper`/`--replay` refused with their
 * reason in the audit log, and a changed PCR failing attestation into quarantine.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDeviceCommands } from '../src/cli/commands/device.ts';
import type { CliIo } from '../src/cli/io.ts';
import { TpmKeyStore } from '../src/device/index.ts';
import { startDeviceHub, type DeviceHubFixture } from './helpers/devices.ts';
import { startSwtpm, type SwtpmInstance } from './helpers/swtpm.ts';

let f: DeviceHubFixture;
let swtpm: SwtpmInstance;

async function msecDevice(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => void out.push(l), err: (l) => void err.push(l), readStdin: async () => '' };
  const program = new Command('msec')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerDeviceCommands(program, io);
  const override = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(['device', ...args], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    err.push(`${(e as { code?: string }).code ?? ''}: ${(e as Error).message}`);
    return { code: 1, out, err };
  }
}

beforeAll(async () => {
  [f, swtpm] = await Promise.all([startDeviceHub(), startSwtpm()]);
});

afterAll(async () => {
  await swtpm?.stop();
  await f?.close();
});

describe('msec device (TPM key store on swtpm)', () => {
  const tpmArg = () => `swtpm:host=${swtpm.host},port=${swtpm.port}`;

  it('enrolls with the TPM key store', async () => {
    const metadata = join(f.workDir, 'meta.json');
    writeFileSync(
      metadata,
      JSON.stringify({
        name: 'Gateway potentiometer',
        type: 'other',
        transducers: [{ name: 'pot', id: 'potentiometer', units: 'raw', minValue: 0, maxValue: 4095 }],
      }),
    );
    const r = await msecDevice([
      'enroll',
      '--hub',
      f.url,
      '--token',
      await f.token(),
      '--device-id',
      'gw-1',
      '--keystore',
      'tpm',
      '--keystore-dir',
      join(f.workDir, 'gw-1'),
      '--tpm',
      tpmArg(),
      '--metadata',
      metadata,
    ]);
    expect(r.err).toEqual([]);
    expect(r.out.join('\n')).toContain('enrolled gw-1 in santander with the tpm key store (attested)');
  });

  it('simulate --count 5 publishes accepted readings; tampered and replayed ones are refused and audited', async () => {
    const r = await msecDevice([
      'simulate',
      '--hub',
      f.url,
      '--token',
      await f.token('santander', 5),
      '--count',
      '5',
      '--rate',
      '4',
      '--duration',
      '2',
      '--keystore',
      'tpm',
      '--keystore-dir',
      join(f.workDir, 'sim'),
      '--tpm',
      tpmArg(),
      '--tamper',
      '--replay',
    ]);
    expect(r.err).toEqual([]);
    const summary = r.out.at(-1)!;
    expect(summary).toMatch(
      /^summary: 5 devices; sent \d+, accepted \d+, refused \d+ \(.*COSE_BAD_SIGNATURE=\d+.*READING_REPLAYED=\d+/,
    );
    const accepted = Number(/accepted (\d+)/.exec(summary)![1]);
    expect(accepted).toBeGreaterThanOrEqual(5);
    const denied = await f.t.platform.ctx.iam.audit.query({
      action: 'hub:reading:ingest',
      outcome: 'denied',
      limit: 500,
    });
    const codes = new Set(denied.map((e) => (e.detail as { code?: string }).code));
    expect(codes).toEqual(new Set(['COSE_BAD_SIGNATURE', 'READING_REPLAYED']));
    expect(denied.every((e) => typeof (e.detail as { reason?: string }).reason === 'string')).toBe(true);
    const list = (await f.t.request('GET', '/api/v1/devices', { token: f.adminToken })).json() as {
      items: Array<{ keystore: string; attestation: { status: string } }>;
    };
    expect(list.items.filter((d) => d.keystore === 'tpm' && d.attestation.status === 'attested')).toHaveLength(6);
  });

  it('a device whose PCR value changes fails attestation and is quarantined', async () => {
    const dir = join(f.workDir, 'gw-1');
    expect(
      (await f.t.request('POST', '/api/v1/devices/gw-1/attestation/challenge', { token: f.adminToken })).statusCode,
    ).toBe(201);
    const pass = await msecDevice(['attest', '--hub', f.url, '--keystore-dir', dir, '--tpm', tpmArg()]);
    expect(pass.out.join('\n')).toContain('attestation passed: gw-1 is attested');

    const tpm = await TpmKeyStore.open({ stateDir: dir, tpm: { kind: 'swtpm', host: swtpm.host, port: swtpm.port } });
    await tpm.extendPcr(16, createHash('sha256').update('tampered bootloader').digest());
    await tpm.close();
    await f.t.request('POST', '/api/v1/devices/gw-1/attestation/challenge', { token: f.adminToken });
    const fail = await msecDevice(['attest', '--hub', f.url, '--keystore-dir', dir, '--tpm', tpmArg()]);
    expect(fail.code).toBe(1);
    expect(fail.out.join('\n')).toContain('attestation FAILED: gw-1 is quarantined (ATTESTATION_PCR_MISMATCH');
    const device = (await f.t.request('GET', '/api/v1/devices/gw-1', { token: f.adminToken })).json() as {
      attestation: { status: string };
    };
    expect(device.attestation.status).toBe('quarantined');
  });

  it('reports bad arguments clearly', async () => {
    const r = await msecDevice(['enroll', '--hub', f.url, '--token', 'x', '--device-id', 'd', '--keystore', 'hsm']);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('must be software or tpm');
    const t = await msecDevice([
      'enroll',
      '--hub',
      f.url,
      '--token',
      'x',
      '--device-id',
      'd',
      '--keystore',
      'tpm',
      '--tpm',
      'mssim:1',
    ]);
    expect(t.err.join('\n')).toContain('swtpm:host=H,port=P');
  });
});
