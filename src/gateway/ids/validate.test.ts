import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMsecError } from '../../core/errors.ts';
import { checkInterface, checkOutDir, listExtraRules, parseCidr, parseHomeNet } from './validate.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isMsecError(err) ? err.code : 'NOT_MSEC';
  }
  return undefined;
}

describe('parseCidr', () => {
  it('returns a network that contains the address, with host bits cleared (IPv4)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const out = parseCidr(`${ip}/${prefix}`);
        const [net, p] = out.split('/');
        expect(Number(p)).toBe(prefix);
        const bl = new BlockList();
        bl.addSubnet(net!, prefix, 'ipv4');
        expect(bl.check(ip, 'ipv4')).toBe(true);
        expect(parseCidr(out)).toBe(out); // canonical form is a fixed point
      }),
    );
  });

  it('returns a network that contains the address (IPv6)', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (ip, prefix) => {
        const out = parseCidr(`${ip}/${prefix}`);
        const [net] = out.split('/');
        const bl = new BlockList();
        bl.addSubnet(net!, prefix, 'ipv6');
        expect(bl.check(ip, 'ipv6')).toBe(true);
        expect(parseCidr(out)).toBe(out);
      }),
    );
  });

  it('treats a bare address as a host route', () => {
    expect(parseCidr('192.168.7.9')).toBe('192.168.7.9/32');
    expect(parseCidr('fd00::1')).toBe('fd00:0:0:0:0:0:0:1/128');
  });

  it('rejects anything else with GATEWAY_HOME_NET_INVALID, never another error', () => {
    for (const bad of [
      '',
      '10.0.0.0/33',
      '10.0.0/8',
      'fd00::/129',
      '10.0.0.0/8/8',
      '10.0.0.0/-1',
      'any',
      '$HOME_NET',
      '10.0.0.0/ 8',
      '::/x',
    ]) {
      expect(
        codeOf(() => parseCidr(bad)),
        bad,
      ).toBe('GATEWAY_HOME_NET_INVALID');
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const code = codeOf(() => parseCidr(s));
        expect(code === undefined || code === 'GATEWAY_HOME_NET_INVALID').toBe(true);
      }),
    );
  });

  it('splits comma lists and drops duplicates; defaults to private ranges', () => {
    expect(parseHomeNet(['10.1.2.3/16,10.1.0.0/16', '192.168.1.0/24'])).toEqual(['10.1.0.0/16', '192.168.1.0/24']);
    expect(parseHomeNet(undefined)).toContain('192.168.0.0/16');
  });
});

describe('gateway input checks', () => {
  it('knows the loopback interface and refuses unknown or odd names', () => {
    expect(checkInterface('lo')).toBe('lo');
    for (const bad of ['nope0', '../etc', 'a'.repeat(30), 'eth0;rm'])
      expect(
        codeOf(() => checkInterface(bad)),
        bad,
      ).toBe('GATEWAY_INTERFACE_UNKNOWN');
  });

  it('creates the output folder, and refuses one that cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msec-out-'));
    try {
      expect(checkOutDir(join(dir, 'a', 'b'))).toBe(join(dir, 'a', 'b'));
      writeFileSync(join(dir, 'file'), 'x');
      expect(codeOf(() => checkOutDir(join(dir, 'file', 'sub')))).toBe('GATEWAY_OUT_DIR_UNWRITABLE');
      expect(codeOf(() => checkOutDir(join(dir, 'file')))).toBe('GATEWAY_OUT_DIR_UNWRITABLE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists only *.rules files of an extra-rules folder, in name order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msec-rules-'));
    try {
      expect(codeOf(() => listExtraRules(dir))).toBe('GATEWAY_EXTRA_RULES_INVALID');
      for (const f of ['b.rules', 'a.rules', 'classification.config']) writeFileSync(join(dir, f), '');
      expect(listExtraRules(dir)).toEqual([join(dir, 'a.rules'), join(dir, 'b.rules')]);
      expect(codeOf(() => listExtraRules(join(dir, 'a.rules')))).toBe('GATEWAY_EXTRA_RULES_INVALID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
