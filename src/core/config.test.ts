import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, DEFAULT_CONFIG } from './config.ts';
import { MsecError } from './errors.ts';

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'msec.json');
    writeFileSync(file, JSON.stringify({ port: 9000, host: '0.0.0.0', auth: { lockoutThreshold: 7 } }));
    const c = loadConfig({ file, env: { MSEC_PORT: '9100', MSEC_DEMO: 'true' }, flags: { port: 9200 } });
    expect(c.port).toBe(9200);
    expect(c.host).toBe('0.0.0.0');
    expect(c.demo).toBe(true);
    expect(c.auth.lockoutThreshold).toBe(7);
    expect(c.auth.accessTokenTtlSeconds).toBe(DEFAULT_CONFIG.auth.accessTokenTtlSeconds);
  });

  it('names the key that holds a bad value', () => {
    expect(() => loadConfig({ env: {}, flags: { port: 70000 } })).toThrow(/port: must be <= 65535/);
    expect(() => loadConfig({ env: { MSEC_PORT: 'eighty' } })).toThrow(/MSEC_PORT: expected an integer/);
    expect(() => loadConfig({ env: { MSEC_DATABASE_URL: 'mysql://x' } })).toThrow(/databaseUrl/);
    expect(() => loadConfig({ env: {}, flags: { tlsCertFile: 'a.pem' } })).toThrow(/together/);
  });

  it('rejects unknown keys in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'msec.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/unknown field\(s\): prot/);
    writeFileSync(file, '{not json');
    expect(() => loadConfig({ env: {}, file })).toThrow(/not valid JSON/);
  });

  it('never accepts an arbitrary MSEC_PORT string other than a valid port, and never crashes', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const c = loadConfig({ env: { MSEC_PORT: s } });
          return s === '' ? c.port === DEFAULT_CONFIG.port : /^\d+$/.test(s) && c.port === Number(s) && c.port <= 65535;
        } catch (err) {
          return err instanceof MsecError && err.code === 'CONFIG_INVALID';
        }
      }),
    );
  });
});
