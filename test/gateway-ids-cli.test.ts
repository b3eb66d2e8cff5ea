/** `msec gateway ids-config` / `ids-rules` as a gateway owner runs them, against the real Suricata. */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IOT_RULES } from '../src/gateway/ids/rules/index.ts';
import { runMsec } from './helpers/cli.ts';
import { describeWithTestdata } from './helpers/testdata.ts';

const root = mkdtempSync(join(tmpdir(), 'msec-ids-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const actions = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^(alert|drop) /.test(l))
    .map((l) => l.split(' ')[0]);

describe('msec gateway ids-config', () => {
  it('writes an IDS config that suricata -T loads', async () => {
    const out = join(root, 'ids');
    const r = await runMsec([
      'gateway',
      'ids-config',
      '--out',
      out,
      '--home-net',
      '10.8.0.0/16',
      '192.168.50.7/24',
      '--interface',
      'lo',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.homeNet).toEqual(['10.8.0.0/16', '192.168.50.0/24']);
    expect(res.suricata.version).toMatch(/^7\./);
    expect(actions(join(out, 'msec-iot.rules'))).toEqual(IOT_RULES.map(() => 'alert'));
    expect(readFileSync(join(out, 'suricata.yaml'), 'utf8')).toContain('HOME_NET: "[10.8.0.0/16,192.168.50.0/24]"');
    expect(existsSync(join(out, 'msec-ips-nfqueue.nft'))).toBe(false);
  });

  it('writes an IPS config with drop rules for the blocking subset and the NFQUEUE hook', async () => {
    const out = join(root, 'ips');
    const r = await runMsec(['gateway', 'ids-config', '--out', out, '--mode', 'ips', '--queue', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/suricata 7\.\S+ -T: configuration loaded/);
    expect(actions(join(out, 'msec-iot.rules'))).toEqual(IOT_RULES.map((x) => (x.blocking ? 'drop' : 'alert')));
    expect(readFileSync(join(out, 'msec-ips-nfqueue.nft'), 'utf8')).toContain('queue num 4 bypass');
    expect(readFileSync(join(out, 'suricata.yaml'), 'utf8')).toMatch(/nfq:\n\s+mode: accept/);
  });

  it('reports a rule Suricata refuses, naming it', async () => {
    const extra = join(root, 'broken-rules');
    const bad = 'alert tcp any any -> any any (msg:"bad"; content:"x"; nosuchkeyword; sid:9000001;)\n';
    mkdirSync(extra);
    writeFileSync(join(extra, 'local.rules'), bad);
    const r = await runMsec(['gateway', 'ids-config', '--out', join(root, 'broken'), '--extra-rules', extra]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: suricata -T refused .*unknown rule keyword 'nosuchkeyword'/);
  });

  it('exits 2 with one clear line for a bad --home-net or an unknown interface', async () => {
    const a = await runMsec(['gateway', 'ids-config', '--out', join(root, 'x1'), '--home-net', '10.0.0.0/40']);
    expect(a.code).toBe(2);
    expect(a.stderr.trim()).toMatch(/^error: --home-net "10\.0\.0\.0\/40" is not a CIDR/);
    const b = await runMsec(['gateway', 'ids-config', '--out', join(root, 'x2'), '--interface', 'nosuch9']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: --interface "nosuch9" is not a network interface here \(known: .*lo/);
    expect(existsSync(join(root, 'x1'))).toBe(false);
  });

  it('exits 1 for an output folder that cannot be written', async () => {
    writeFileSync(join(root, 'plain-file'), 'x');
    const r = await runMsec(['gateway', 'ids-config', '--out', join(root, 'plain-file', 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --out .* is not a writable directory/);
  });

  it('says which Suricata is needed and how to install it when it is missing or too old', async () => {
    const missing = await runMsec(['gateway', 'ids-config', '--out', join(root, 'm')], {
      env: { MSEC_SURICATA: join(root, 'no-such-suricata') },
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Suricata 7\.0 or newer is needed.*bookworm-backports/);
    // An old Suricata is simulated by a script that prints what Suricata 6 prints for -V.
    const old = join(root, 'suricata6');
    writeFileSync(old, '#!/bin/sh\necho "This is Suricata version 6.0.10 RELEASE"\n');
    chmodSync(old, 0o755);
    const tooOld = await runMsec(['gateway', 'ids-config', '--out', join(root, 'o')], { env: { MSEC_SURICATA: old } });
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toMatch(
      /Suricata 6\.0\.10 is too old: 7\.0 or newer is needed.*apt-get install -t bookworm-backports suricata/,
    );
    const noVerify = await runMsec(['gateway', 'ids-config', '--out', join(root, 'nv'), '--no-verify'], {
      env: { MSEC_SURICATA: old },
    });
    expect(noVerify.code, noVerify.stderr).toBe(0);
    expect(noVerify.stdout).toContain('not verified');
  });

  it('lists the ruleset with its actions', async () => {
    const r = await runMsec(['gateway', 'ids-rules', '--mode', 'ips', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rules = JSON.parse(r.stdout) as { sid: number; action: string }[];
    expect(rules.map((x) => x.sid)).toEqual(IOT_RULES.map((x) => x.sid));
    expect(rules.filter((x) => x.action === 'drop')).toHaveLength(IOT_RULES.filter((x) => x.blocking).length);
  });
});

describeWithTestdata('ids/et-open-rules', 'msec gateway ids-config --extra-rules (ET Open)', (etDir) => {
  it('loads the ET Open telnet and SCADA rules next to ours', async () => {
    const r = await runMsec(['gateway', 'ids-config', '--out', join(root, 'et'), '--extra-rules', etDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const cfg = readFileSync(join(root, 'et', 'suricata.yaml'), 'utf8');
    expect(cfg).toContain(join(etDir, 'emerging-scada.rules'));
    expect(cfg).toContain(join(etDir, 'emerging-telnet.rules'));
  });
});
