/**
 * Stealth hardening in network namespaces this test creates ("gateway" and two "attackers", each
 * attacker on its own /30 veth link): the generated ruleset loaded with real nft, an SSH stand-in on
 * the management port and a real knockd in the gateway namespace; probes from the attacker namespaces.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKnock, newKnock } from '../src/gateway/index.ts';
import { MSEC_BIN, runMsec } from './helpers/cli.ts';
import { waitFor } from './helpers/net.ts';
import { NetnsLab } from './helpers/netns.ts';

// Long enough that a probe spawned after the admission still lands inside the window on a loaded machine.
const OPEN_SECONDS = 12;
const KNOCK_PORT = 62201;
const TIMEOUT_MS = 2000;
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const SCAN_TCP = [...range(1, 300), 1883, 5683, 8080, 8883, KNOCK_PORT];
const SCAN_UDP = [...range(1, 120), 1883, 5683, KNOCK_PORT];

describe('stealth gateway in network namespaces', () => {
  const lab = new NetnsLab();
  let dir: string;
  let gw: string;
  let at1: string;
  let at2: string;
  // Addresses exist only inside the namespaces: 10.<random>.<random>.0/30 and .4/30.
  const net = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]! % 250}`;
  const GW1 = `${net}.1`;
  const AT1 = `${net}.2`;
  const GW2 = `${net}.5`;
  const AT2 = `${net}.6`;
  const key = randomBytes(32);
  let knockd: { output: () => string };
  const audits = () =>
    knockd
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ssh = async (ns: string, host: string) =>
    (await lab.probe(ns, { host, tcp: [22], timeoutMs: TIMEOUT_MS })).tcp['22'];
  const send = (ns: string, packets: Buffer[]) =>
    lab.probe(ns, {
      host: GW1,
      send: packets.map((p) => p.toString('base64')),
      sendPort: KNOCK_PORT,
      timeoutMs: TIMEOUT_MS,
    });
  const auditFor = (pred: (a: Record<string, unknown>) => boolean, what: string) =>
    waitFor(async () => audits().some(pred), 20_000, what);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-stealth-'));
    gw = await lab.add('gw');
    at1 = await lab.add('at1');
    at2 = await lab.add('at2');
    await lab.link(gw, 'up1', GW1, at1, 'eth0', AT1);
    await lab.link(gw, 'up2', GW2, at2, 'eth0', AT2);
    await lab.exec(at2, 'ip', ['route', 'add', `${GW1}/32`, 'via', GW2]);
    // The SSH stand-in: a TCP server that greets like sshd.
    lab.spawn(gw, process.execPath, [
      '-e',
      "require('net').createServer((s)=>s.end('SSH-2.0-msec-standin\\r\\n')).listen(22,'0.0.0.0')",
    ]);
    writeFileSync(join(dir, 'keys'), `# test operator\nop1 ${key.toString('base64')}\n`);
    chmodSync(join(dir, 'keys'), 0o600);
    await waitFor(async () => (await ssh(at1, GW1)).state === 'open', 30_000, 'SSH stand-in up');
  });

  afterAll(async () => {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without the ruleset the probes do see resets and ICMP unreachables (the probe can tell)', async () => {
    const r = await lab.probe(at1, { host: GW1, tcp: [22, 23], udp: [9999], timeoutMs: TIMEOUT_MS });
    expect(r.tcp['22'].state).toBe('open');
    expect(r.tcp['22'].banner).toContain('SSH-2.0');
    expect(r.tcp['23'].state).toBe('refused');
    expect(r.udp['9999'].state).toBe('unreachable');
  });

  it('with the ruleset and knockd loaded, a TCP connect scan and a UDP probe get no answer at all', async () => {
    const out = join(dir, 'nft');
    const h = await runMsec([
      'gateway',
      'harden',
      '--out',
      out,
      '--hub',
      `https://${AT2}:8443`,
      '--mgmt-port',
      '22',
      '--dns',
      AT2,
    ]);
    expect(h.code, h.stderr).toBe(0);
    await lab.exec(gw, 'nft', ['-f', join(out, 'msec-stealth.nft')]);
    knockd = lab.spawn(gw, process.execPath, [
      MSEC_BIN,
      'gateway',
      'knockd',
      '--key-file',
      join(dir, 'keys'),
      '--open-seconds',
      String(OPEN_SECONDS),
      '--allow-port',
      '22',
    ]);
    await auditFor((a) => a.event === 'knockd_started', 'knockd started');
    const r = await lab.probe(at1, { host: GW1, tcp: SCAN_TCP, udp: SCAN_UDP, timeoutMs: TIMEOUT_MS });
    const answered = [
      ...Object.entries(r.tcp as Record<string, { state: string }>)
        .filter(([, v]) => v.state !== 'silent')
        .map(([p, v]) => `tcp/${p}:${v.state}`),
      ...Object.entries(r.udp as Record<string, { state: string }>)
        .filter(([, v]) => v.state !== 'silent')
        .map(([p, v]) => `udp/${p}:${v.state}`),
    ];
    expect(answered).toEqual([]);
    expect(Object.keys(r.tcp).length).toBe(new Set(SCAN_TCP).size);
    expect(Object.keys(r.udp).length).toBe(new Set(SCAN_UDP).size);
  });

  it('knocks of any size or content, expired or wrongly keyed, open nothing (and are audited)', async () => {
    const now = Date.now();
    const garbage = [0, 1, 79, 80, 81, 1400].map((n) => randomBytes(n));
    const expired = encodeKnock(
      { keyId: 'op1', port: 22, timestampMs: now - 10 * 60_000, nonce: randomBytes(16) },
      key,
    );
    const wrongKey = newKnock('op1', 22, randomBytes(32));
    const unknownId = newKnock('nobody', 22, key);
    await send(at1, [...garbage, expired, wrongKey, unknownId]);
    await auditFor((a) => a.reason === 'stale', 'stale knock audited');
    await auditFor((a) => a.reason === 'bad_mac', 'wrongly keyed knock audited');
    await auditFor((a) => a.reason === 'unknown_key', 'unknown key id audited');
    expect(audits().filter((a) => a.outcome === 'admitted')).toEqual([]);
    expect((await ssh(at1, GW1)).state).toBe('silent');
  });

  it('a valid knock opens the management port for that source only, and it closes after the timeout', async () => {
    const k = await lab.exec(at1, process.execPath, [
      MSEC_BIN,
      'gateway',
      'knock',
      GW1,
      '--key-file',
      join(dir, 'keys'),
      '--port',
      '22',
    ]);
    expect(k).toContain(`knock sent to ${GW1}:${KNOCK_PORT} for port 22 (key op1)`);
    await auditFor((a) => a.outcome === 'admitted' && a.src === AT1, 'knock admitted');
    const open = await ssh(at1, GW1);
    expect(open.state).toBe('open');
    expect(open.banner).toContain('SSH-2.0-msec-standin');
    expect((await ssh(at2, GW1)).state).toBe('silent');
    await waitFor(
      async () => (await ssh(at1, GW1)).state === 'silent',
      60_000,
      'port closed again after the knock timeout',
    );
  }, 150_000);

  it('a replayed knock opens nothing, from another source or the same one', async () => {
    const packet = newKnock('op1', 22, key);
    await send(at2, [packet]);
    await auditFor((a) => a.outcome === 'admitted' && a.src === AT2, 'first use admitted');
    expect((await ssh(at2, GW1)).state).toBe('open');
    await send(at1, [packet]);
    await auditFor((a) => a.reason === 'replay' && a.src === AT1, 'replay from at1 refused');
    expect((await ssh(at1, GW1)).state).toBe('silent');
    await waitFor(async () => (await ssh(at2, GW1)).state === 'silent', 60_000, 'at2 closed after the timeout');
    await send(at2, [packet]);
    await auditFor((a) => a.reason === 'replay' && a.src === AT2, 'replay from at2 refused');
    expect((await ssh(at2, GW1)).state).toBe('silent');
    expect(
      audits()
        .filter((a) => a.outcome === 'admitted')
        .map((a) => a.src),
    ).toEqual([AT1, AT2]);
  }, 150_000);

  it('the audit sees the loaded ruleset inside the gateway namespace', async () => {
    const out = await lab
      .exec(gw, process.execPath, [MSEC_BIN, 'gateway', 'audit', '--json', '--agent-state', join(dir, 'none')])
      .catch((e: { stdout: string }) => e.stdout);
    const report = JSON.parse(out) as { checks: { id: string; status: string }[] };
    expect(report.checks.find((c) => c.id === 'nftables')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'agent.running')?.status).toBe('fail');
  });
});
