import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKnockKeys } from '../src/gateway/index.ts';
import { runMsec } from './helpers/cli.ts';

describe('msec gateway CLI errors and keys', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-gw-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agent: usage errors exit 2 with one clear line', async () => {
    const noTo = await runMsec(['gateway', 'agent', '--eve', 'x.json']);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain("required option '--to <url>'");
    const noCreds = await runMsec([
      'gateway',
      'agent',
      '--eve',
      'x.json',
      '--to',
      'http://127.0.0.1:1/api/v1/monitor/ingest',
    ]);
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr.trim()).toBe('error: give --token-file, or --cert and --key');
    const badType = await runMsec([
      'gateway',
      'agent',
      '--file',
      '/var/log/auth.log',
      '--type',
      'eve',
      '--to',
      'http://h/',
      '--token-file',
      't',
    ]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('--type must be auth, syslog or json');
    const badPolicy = await runMsec([
      'gateway',
      'agent',
      '--eve',
      'x',
      '--to',
      'http://h/',
      '--when-spool-full',
      'panic',
    ]);
    expect(badPolicy.code).toBe(2);
  });

  it('harden: unknown interface and unwritable output are clear failures', async () => {
    const iface = await runMsec([
      'gateway',
      'harden',
      '--out',
      dir,
      '--hub',
      'https://192.0.2.1',
      '--uplink',
      'nosuch0',
    ]);
    expect(iface.code).toBe(1);
    expect(iface.stderr.trim()).toBe('error: no interface nosuch0 here (see ip link)');
    writeFileSync(join(dir, 'a-file'), '');
    const out = await runMsec(['gateway', 'harden', '--out', join(dir, 'a-file', 'sub'), '--hub', 'https://192.0.2.1']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`error: cannot write ${join(dir, 'a-file', 'sub', 'msec-stealth.nft')}: ENOTDIR`);
    const hub = await runMsec(['gateway', 'harden', '--out', dir, '--hub', 'ftp://192.0.2.1']);
    expect(hub.code).toBe(1);
    expect(hub.stderr).toContain('--hub must be an http(s):// or mqtt(s):// URL');
  });

  it('knock-key lines make a key file knockd and knock accept; a readable-by-others file is refused', async () => {
    const k = await runMsec(['gateway', 'knock-key', '--id', 'alice']);
    expect(k.code).toBe(0);
    const file = join(dir, 'keys');
    writeFileSync(file, k.stdout);
    chmodSync(file, 0o600);
    const keys = readKnockKeys(file);
    expect([...keys.keys()]).toEqual(['alice']);
    expect(keys.get('alice')!.length).toBe(32);
    chmodSync(file, 0o644);
    const d = await runMsec(['gateway', 'knockd', '--key-file', file, '--listen', '127.0.0.1', '--port', '1']);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('is readable by others; chmod 600 it');
  });
});
