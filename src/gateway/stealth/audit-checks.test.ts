import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgent, checkListening, checkPasswords, checkSshd } from './audit-checks.ts';

describe('gateway audit checks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-audit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds empty and default passwords in a shadow file (sha512-crypt via openssl)', () => {
    const adminHash = execFileSync('openssl', ['passwd', '-6', '-salt', 'saltsalt', 'admin'], {
      encoding: 'utf8',
    }).trim();
    const strongHash = execFileSync('openssl', ['passwd', '-6', '-salt', 'saltsalt', 'x7#kP!m2-long-unique'], {
      encoding: 'utf8',
    }).trim();
    const shadow = join(dir, 'shadow');
    writeFileSync(
      shadow,
      `root:${strongHash}:19000:0:99999:7:::\nguest::19000:0:99999:7:::\nops:${adminHash}:19000::::::\ndaemon:*:19000::::::\n`,
    );
    const r = checkPasswords(shadow);
    expect(r.status).toBe('fail');
    expect(r.details).toEqual({ empty: ['guest'], defaults: ['ops'] });
    writeFileSync(shadow, `root:${strongHash}:19000::::::\n`);
    expect(checkPasswords(shadow).status).toBe('pass');
    expect(checkPasswords(join(dir, 'absent')).status).toBe('warn');
  });

  it('reads sshd settings with includes, first value winning, Match blocks ignored', () => {
    const conf = join(dir, 'sshd_config');
    mkdirSync(join(dir, 'sshd_config.d'));
    writeFileSync(join(dir, 'sshd_config.d', '10-local.conf'), 'PermitRootLogin yes\n');
    writeFileSync(
      conf,
      `Include ${join(dir, 'sshd_config.d')}/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nMatch User backup\n  PermitEmptyPasswords yes\n`,
    );
    const byId = Object.fromEntries(checkSshd(conf).map((c) => [c.id, c.status]));
    expect(byId).toEqual({ 'sshd.root_login': 'fail', 'sshd.password_auth': 'pass', 'sshd.empty_passwords': 'pass' });
  });

  it('lists sockets listening beyond loopback and warns on unexpected ones', () => {
    const proc = join(dir, 'proc-net');
    mkdirSync(proc);
    const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    writeFileSync(
      join(proc, 'tcp'),
      hdr +
        '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n   1: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 1 1\n   2: 00000000:0017 00000000:0000 0A 0 0 0 0 0 1 1\n',
    );
    writeFileSync(join(proc, 'udp'), hdr + '   0: 00000000:F319 00000000:0000 07 0 0 0 0 0 1 1\n');
    const r = checkListening(proc, [22, 62201]);
    expect(r.details).toEqual({ ports: ['tcp/22', 'tcp/23', 'udp/62233'] });
    expect(r.status).toBe('warn');
    expect(checkListening(proc, [22, 23, 62233]).status).toBe('pass');
  });

  it('judges the agent by its status file: running and current, or not', () => {
    const state = join(dir, 'agent');
    mkdirSync(state);
    const now = new Date().toISOString();
    writeFileSync(
      join(state, 'status.json'),
      JSON.stringify({ pid: process.pid, now, lastSuccess: now, spool: { events: 3 } }),
    );
    expect(checkAgent(state, 300).map((c) => c.status)).toEqual(['pass', 'pass']);
    writeFileSync(
      join(state, 'status.json'),
      JSON.stringify({
        pid: 2 ** 22 + 7,
        now,
        lastSuccess: null,
        spool: { events: 3 },
        lastError: { code: 'UNAVAILABLE' },
      }),
    );
    expect(checkAgent(state, 300).map((c) => c.status)).toEqual(['fail', 'warn']);
  });
});
