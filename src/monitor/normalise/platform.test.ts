import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePlatformEvent } from './platform.ts';
import { normaliseSyslog } from './syslog.ts';

const NOW = Date.UTC(2026, 11, 1, 12);

describe('platform security events into the common schema', () => {
  it('maps the subjects the server and the hub publish to the logsources the pack names', () => {
    const login = normalisePlatformEvent(
      'security.api.login-failed',
      NOW - 5,
      { ip: '203.0.113.7', actor: 'admin', org: 'santander', status: 401, code: 'INVALID_CREDENTIALS' },
      NOW,
    );
    expect(login.logsource).toEqual({ product: 'msec', service: 'iam', category: 'login_failed' });
    expect(login.doc).toMatchObject({
      source: { ip: '203.0.113.7' },
      user: { name: 'admin' },
      organization: { id: 'santander' },
      event: { outcome: 'failure', code: 'INVALID_CREDENTIALS' },
    });
    expect(login.timeMs).toBe(NOW - 5);
    const mqtt = normalisePlatformEvent(
      'security.hub.auth-failed',
      NOW,
      { kind: 'auth-failed', reason: 'bad password', ip: '198.51.100.2', clientId: 'dev-9' },
      NOW,
    );
    expect(mqtt.logsource).toEqual({ product: 'msec', service: 'hub', category: 'mqtt_connect_refused' });
    expect((mqtt.doc.organization as { id: string }).id).toBe('platform');
    const q = normalisePlatformEvent(
      'security.hub.device-quarantined',
      NOW,
      { deviceId: 'dev-1', org: 'fujisawa', code: 'ATTESTATION_PCR_MISMATCH', reason: 'pcr' },
      NOW,
    );
    expect(q.logsource.category).toBe('attestation_failed');
    expect(q.doc.device).toEqual({ id: 'dev-1' });
    expect(
      normalisePlatformEvent(
        'hub.reading.rejected',
        NOW,
        { code: 'READING_REPLAYED', deviceId: 'dev-2', transport: 'mqtt' },
        NOW,
      ).logsource,
    ).toEqual({ product: 'msec', service: 'device', category: 'reading_refused' });
    expect(normalisePlatformEvent('security.gateway.spa-refused', NOW, {}, NOW).logsource).toEqual({
      product: 'msec',
      service: 'gateway',
      category: 'spa_refused',
    });
  });

  it('never throws on any payload, and keeps it to rebuild the document (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^security\.[a-z]{1,8}\.[a-z-]{1,12}$/),
        fc.anything(),
        fc.integer(),
        (subject, data, at) => {
          const e = normalisePlatformEvent(subject, at, data, NOW);
          expect(Number.isFinite(e.timeMs)).toBe(true);
          const raw = JSON.parse(e.raw) as { subject: string };
          expect(raw.subject).toBe(subject);
          expect(e.logsource.product).toBe('msec');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('auth.log and syslog lines', () => {
  const meta = { org: 'santander', observer: 'gw-1', now: NOW };
  it('reads OpenSSH failures and successes as authentication events', () => {
    const f = normaliseSyslog(
      'auth',
      'Nov 30 23:59:01 gw-1 sshd[811]: Failed password for invalid user admin from 198.51.100.7 port 50522 ssh2',
      meta,
    );
    expect(f.ok && f.event.doc).toMatchObject({
      user: { name: 'admin' },
      source: { ip: '198.51.100.7', port: 50522 },
      event: { action: 'ssh_login_failed', outcome: 'failure', category: ['authentication'] },
    });
    expect(f.ok && f.event.timeMs).toBe(Date.UTC(2026, 10, 30, 23, 59, 1));
    const ok = normaliseSyslog(
      'auth',
      '2026-12-01T11:00:00.5+00:00 gw-1 sshd[9]: Accepted publickey for ops from 10.0.0.2 port 2222 ssh2',
      meta,
    );
    expect(ok.ok && ok.event.doc).toMatchObject({ user: { name: 'ops' }, event: { outcome: 'success' } });
    expect(ok.ok && ok.event.logsource).toEqual({ product: 'linux', service: 'auth' });
    const dec = normaliseSyslog('syslog', 'Dec 31 23:00:00 gw-1 kernel: hello', meta);
    expect(dec.ok && new Date(dec.event.timeMs).getUTCFullYear()).toBe(2025);
    expect(normaliseSyslog('syslog', 'no timestamp here', meta)).toMatchObject({
      ok: false,
      reject: { code: 'MONITOR_EVENT_INVALID' },
    });
  });
});
