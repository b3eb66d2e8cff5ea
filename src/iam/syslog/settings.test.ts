import { describe, expect, it } from 'vitest';
import { syslogSettingsFromEnv } from './settings.ts';

describe('syslog settings', () => {
  it('is off without MSEC_SYSLOG_URL and reads a tcp or tls URL', () => {
    expect(syslogSettingsFromEnv({})).toBeUndefined();
    expect(syslogSettingsFromEnv({ MSEC_SYSLOG_URL: 'tcp://siem.city:6514', MSEC_SYSLOG_HOSTNAME: 'h' })).toEqual({
      transport: 'tcp',
      host: 'siem.city',
      port: 6514,
      ca: undefined,
      cert: undefined,
      key: undefined,
      bufferSize: 10000,
      hostname: 'h',
      enterpriseId: '32473',
    });
    expect(syslogSettingsFromEnv({ MSEC_SYSLOG_URL: 'tls://[::1]:6514', MSEC_SYSLOG_BUFFER: '5' })).toMatchObject({
      transport: 'tls',
      host: '::1',
      bufferSize: 5,
    });
  });

  it.each([
    [{ MSEC_SYSLOG_URL: 'udp://siem:514' }, /scheme must be tcp or tls/],
    [{ MSEC_SYSLOG_URL: 'siem:514x' }, /MSEC_SYSLOG_URL/],
    [{ MSEC_SYSLOG_URL: 'tcp://siem' }, /needs a host and a port/],
    [{ MSEC_SYSLOG_URL: 'tcp://siem:514/x' }, /takes no path/],
    [{ MSEC_SYSLOG_URL: 'tcp://siem:514', MSEC_SYSLOG_BUFFER: '0' }, /MSEC_SYSLOG_BUFFER/],
    [{ MSEC_SYSLOG_URL: 'tls://siem:514', MSEC_SYSLOG_CA_FILE: '/nonexistent/ca.pem' }, /cannot read/],
    [{ MSEC_SYSLOG_URL: 'tcp://siem:514', MSEC_SYSLOG_ENTERPRISE_ID: 'acme' }, /ENTERPRISE_ID/],
  ])('refuses %j with IAM_SYSLOG_CONFIG_INVALID', (env, message) => {
    expect(() => syslogSettingsFromEnv(env)).toThrow(message);
    try {
      syslogSettingsFromEnv(env);
    } catch (err) {
      expect((err as { code: string }).code).toBe('IAM_SYSLOG_CONFIG_INVALID');
    }
  });
});
