import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPlatform } from './helpers/platform.ts';

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('TLS on the HTTP API', () => {
  it('serves HTTPS with the configured certificate and refuses clients that do not trust it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msec-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const t = await startTestPlatform({
      listen: true,
      config: { host: '127.0.0.1', tlsCertFile: cert, tlsKeyFile: key },
    });
    try {
      expect(t.platform.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ok = await httpsGet(`${t.platform.url}/healthz`, readFileSync(cert));
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body)).toMatchObject({ status: 'ok' });
      const untrusted = execFileSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-days',
        '1',
        '-subj',
        '/CN=other',
      ]);
      await expect(httpsGet(`${t.platform.url}/healthz`, untrusted)).rejects.toThrow(
        /self.signed|unable to verify|certificate/i,
      );
    } finally {
      await t.close();
    }
  });
});
