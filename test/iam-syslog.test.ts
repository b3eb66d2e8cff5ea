/**
 * Issue 14 (accounting): audit rows and security events reach a real rsyslogd over RFC 5424
 * octet-counted TCP, and over TLS (rsyslog's gtls driver); rsyslog's own parse of each message
 * gives back our fields. With the receiver down requests still succeed, messages wait in a
 * bounded buffer (the oldest dropped and counted), and arrive once it is back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syslogModule, type SyslogSettings } from '../src/iam/index.ts';
import { SyslogForwarder } from '../src/iam/syslog/forwarder.ts';
import { waitFor } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { startRsyslog, type ReceivedSyslog, type Rsyslog } from './helpers/rsyslog.ts';

/** rsyslog's structured-data text → { param: value } of one element (values unescaped). */
function sdParams(sd: string): { id: string; params: Record<string, string> } {
  const m = /^\[(\S+)((?: [^=]+="(?:\\.|[^"\\])*")*)\]$/.exec(sd);
  if (!m) throw new Error(`unexpected SD ${sd}`);
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/ ([^=]+)="((?:\\.|[^"\\])*)"/g)) params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
  return { id: m[1]!, params };
}

const auditIds = (msgs: ReceivedSyslog[]) =>
  msgs.filter((m) => m.msgid === 'audit').map((m) => Number(sdParams(m.sd).params.id));

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no metric ${name}`);
  return Number(m[1]);
}

describe('syslog forwarding to rsyslog over TCP', () => {
  let rs: Rsyslog;
  let t: TestPlatform;
  let admin: string;
  let mod: ReturnType<typeof syslogModule>;

  beforeAll(async () => {
    rs = await startRsyslog();
    const settings: SyslogSettings = {
      transport: 'tcp',
      host: '127.0.0.1',
      port: rs.port,
      bufferSize: 5,
      hostname: 'hub-1.city',
      enterpriseId: '32473',
    };
    mod = syslogModule({ settings, minBackoffMs: 50, maxBackoffMs: 300 });
    t = await startTestPlatform({ modules: [mod] });
    admin = await t.adminToken();
    await waitFor(async () => mod.forwarder().isConnected, 60_000, 'forwarder connected');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await rs?.close();
  });

  it('delivers audit rows and security events intact, as rsyslog parses them', async () => {
    const nasty = 'street "A" \\ [lamp] ]]';
    await t.platform.ctx.iam.audit.append({
      action: 'hub:device:update',
      resource: nasty,
      outcome: 'succeeded',
      actorName: 'ops é',
      status: 200,
      detail: { note: 'ünïcode ✓' },
    });
    const bad = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: 'wrong-password-123' },
    });
    expect(bad.statusCode).toBe(401);
    const [row] = await t.platform.ctx.iam.audit.query({ action: 'hub:device:update' });
    await waitFor(
      async () => rs.received().some((m) => m.msgid === 'security') && auditIds(rs.received()).includes(row!.id),
      60_000,
      'audit and security messages at rsyslog',
    );
    const got = rs.received();
    const audit = got.find((m) => m.msgid === 'audit' && sdParams(m.sd).params.id === String(row!.id))!;
    expect(audit.pri).toBe(String(13 * 8 + 6));
    expect(audit.hostname).toBe('hub-1.city');
    expect(audit.app).toBe('msec');
    expect(audit.procid).toBe(String(process.pid));
    expect(new Date(audit.ts).getTime()).toBe(row!.at);
    const sd = sdParams(audit.sd);
    expect(sd.id).toBe('audit@32473');
    expect(sd.params).toMatchObject({
      resource: nasty,
      action: 'hub:device:update',
      outcome: 'succeeded',
      actorName: 'ops é',
      status: '200',
    });
    expect(audit.msg.replace(/^\uFEFF/, '')).toBe('succeeded hub:device:update {"note":"ünïcode ✓"}');
    const sec = got.find((m) => m.msgid === 'security')!;
    const ssd = sdParams(sec.sd);
    expect(ssd.id).toBe('security@32473');
    expect(ssd.params.subject).toBe('security.api.login-failed');
    expect(ssd.params.status).toBe('401');
    expect(sec.pri).toBe(String(4 * 8 + 4));
  });

  it('buffers (bounded, counted) while rsyslog is down, never failing a request, and delivers after', async () => {
    const f = mod.forwarder();
    await waitFor(async () => f.buffered === 0, 60_000, 'buffer drained');
    const droppedBefore = f.counts.dropped;
    await rs.stop();
    await waitFor(async () => !f.isConnected, 60_000, 'forwarder noticed the receiver gone');
    const created: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.request('POST', '/api/v1/principals', {
        token: admin,
        body: { org: 'platform', kind: 'service', name: `syslog-svc-${i}`, roles: ['operator'] },
      });
      expect(r.statusCode, r.body).toBe(201);
      created.push(r.json().id as string);
    }
    expect(f.buffered).toBe(5);
    expect(f.counts.dropped - droppedBefore).toBe(3);
    const m = (await t.request('GET', '/metrics', { token: admin })).body;
    expect(metric(m, 'msec_syslog_buffered')).toBe(5);
    expect(metric(m, 'msec_syslog_dropped_total')).toBe(f.counts.dropped);
    expect(metric(m, 'msec_syslog_connected')).toBe(0);
    const rows = (await t.platform.ctx.iam.audit.query({ action: 'iam:principal:create', limit: 8 })).reverse();
    expect(rows).toHaveLength(8);
    await rs.restart();
    const kept = rows.slice(3).map((r) => r.id);
    await waitFor(
      async () => kept.every((id) => auditIds(rs.received()).includes(id)),
      60_000,
      'buffered rows delivered',
    );
    const ids = auditIds(rs.received());
    for (const r of rows.slice(0, 3)) expect(ids).not.toContain(r.id);
    expect(f.buffered).toBe(0);
    const after = (await t.request('GET', '/metrics', { token: admin })).body;
    expect(metric(after, 'msec_syslog_sent_total')).toBe(f.counts.sent);
    expect(metric(after, 'msec_syslog_connected')).toBe(1);
  }, 180_000);
});

describe('syslog forwarding over TLS (rsyslog gtls)', () => {
  let rs: Rsyslog;
  let dir: string;
  const forwarders: SyslogForwarder[] = [];

  function pki(name: string): { ca: string; cert: string; key: string } {
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ossl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
      '-keyout',
      `${name}-ca.key`,
      '-out',
      `${name}-ca.pem`,
    );
    ossl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      `${name}-srv.key`,
      '-out',
      `${name}-srv.csr`,
    );
    writeFileSync(join(dir, `${name}-ext.cnf`), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    ossl(
      'x509',
      '-req',
      '-in',
      `${name}-srv.csr`,
      '-CA',
      `${name}-ca.pem`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}-ext.cnf`,
      '-out',
      `${name}-srv.pem`,
    );
    return { ca: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}-srv.pem`), key: join(dir, `${name}-srv.key`) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-syslog-pki-'));
    const p = pki('city');
    pki('foreign');
    rs = await startRsyslog({ caFile: p.ca, certFile: p.cert, keyFile: p.key });
  }, 120_000);

  afterAll(async () => {
    for (const f of forwarders) await f.stop(0);
    await rs?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const message = (text: string) => ({
    facility: 13,
    severity: 4,
    at: Date.now(),
    hostname: 'hub-2',
    appName: 'msec',
    procId: '7',
    msgId: 'audit',
    structuredData: [{ id: 'audit@32473', params: { resource: text } }],
    msg: text,
  });

  it('delivers over TLS to a receiver whose certificate the CA file trusts', async () => {
    const { readFileSync } = await import('node:fs');
    const f = new SyslogForwarder({
      settings: {
        transport: 'tls',
        host: '127.0.0.1',
        port: rs.port,
        ca: readFileSync(join(dir, 'city-ca.pem'), 'utf8'),
        bufferSize: 100,
      },
      minBackoffMs: 50,
      maxBackoffMs: 300,
    });
    forwarders.push(f);
    f.start();
    f.send(message('over tls "quoted" ]'));
    await waitFor(async () => rs.received().some((m) => m.hostname === 'hub-2'), 60_000, 'TLS message at rsyslog');
    const got = rs.received().find((m) => m.hostname === 'hub-2')!;
    expect(sdParams(got.sd).params.resource).toBe('over tls "quoted" ]');
    expect(got.msg.replace(/^\uFEFF/, '')).toBe('over tls "quoted" ]');
  }, 120_000);

  it('refuses a receiver the CA file does not vouch for, keeping the messages buffered', async () => {
    const { readFileSync } = await import('node:fs');
    const f = new SyslogForwarder({
      settings: {
        transport: 'tls',
        host: '127.0.0.1',
        port: rs.port,
        ca: readFileSync(join(dir, 'foreign-ca.pem'), 'utf8'),
        bufferSize: 100,
      },
      minBackoffMs: 50,
      maxBackoffMs: 300,
    });
    forwarders.push(f);
    f.start();
    f.send(message('must not leave'));
    await waitFor(async () => f.counts.connectFailures >= 2, 60_000, 'refused handshakes');
    expect(f.isConnected).toBe(false);
    expect(f.buffered).toBe(1);
    expect(f.counts.sent).toBe(0);
  }, 120_000);
});
