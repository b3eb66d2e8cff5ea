import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileDetection } from './detection.ts';
import { SigmaCompileError } from './compile-error.ts';

/** One selection `sel` with the given items; returns a test on event documents. */
const sel = (items: Record<string, unknown> | unknown[]) => compileDetection({ sel: items, condition: 'sel' });
const refused = (items: Record<string, unknown> | unknown[], message: RegExp): void => {
  expect(() => sel(items)).toThrow(SigmaCompileError);
  expect(() => sel(items)).toThrow(message);
};

describe('plain values', () => {
  it('compares strings case-insensitively, numbers and booleans by their text', () => {
    expect(sel({ 'event.action': 'Login' })({ event: { action: 'LOGIN' } })).toBe(true);
    expect(sel({ 'event.action': 'Login' })({ event: { action: 'Logout' } })).toBe(false);
    expect(sel({ 'destination.port': 443 })({ destination: { port: 443 } })).toBe(true);
    expect(sel({ 'destination.port': 443 })({ destination: { port: '443' } })).toBe(true);
    expect(sel({ 'destination.port': 443 })({ destination: { port: 4430 } })).toBe(false);
    expect(sel({ 'tcp.syn': true })({ tcp: { syn: true } })).toBe(true);
    expect(sel({ 'tcp.syn': true })({ tcp: { syn: false } })).toBe(false);
    expect(sel({ 'tcp.syn': true })({})).toBe(false);
  });

  it('ORs a list of values and ANDs the items of a map', () => {
    const t = sel({ a: ['x', 'y'], b: 1 });
    expect(t({ a: 'Y', b: 1 })).toBe(true);
    expect(t({ a: 'z', b: 1 })).toBe(false);
    expect(t({ a: 'x', b: 2 })).toBe(false);
  });

  it('ORs a list of maps', () => {
    const t = sel([{ a: 1 }, { b: 2 }]);
    expect(t({ a: 1 })).toBe(true);
    expect(t({ b: 2 })).toBe(true);
    expect(t({ a: 2, b: 1 })).toBe(false);
  });

  it('matches any element of a multi-valued field and reads flat dotted keys', () => {
    expect(sel({ 'threat.technique.id': 'T1110' })({ threat: { technique: [{ id: 'T1046' }, { id: 'T1110' }] } })).toBe(
      true,
    );
    expect(sel({ tags: 'b' })({ tags: ['a', 'b'] })).toBe(true);
    expect(sel({ 'source.ip': '1.2.3.4' })({ 'source.ip': '1.2.3.4' })).toBe(true);
  });

  it('null matches an absent or null field, empty string only an empty one', () => {
    expect(sel({ a: null })({})).toBe(true);
    expect(sel({ a: null })({ a: null })).toBe(true);
    expect(sel({ a: null })({ a: '' })).toBe(false);
    expect(sel({ a: '' })({ a: '' })).toBe(true);
    expect(sel({ a: '' })({})).toBe(false);
    refused({ a: ['', null] }, /null cannot be part of a list/);
  });

  it('keywords match anywhere in any value of the event', () => {
    const t = sel(['evil', 'bad thing']);
    expect(t({ message: 'an EVIL deed' })).toBe(true);
    expect(t({ nested: { deep: ['x', 'a bad thing here'] } })).toBe(true);
    expect(t({ message: 'benign' })).toBe(false);
    const all = sel({ '|all': ['OabVirtualDirectory', ' -ExternalUrl '] });
    expect(all({ cmd: 'Set-OabVirtualDirectory -ExternalUrl x' })).toBe(true);
    expect(all({ cmd: 'Set-OabVirtualDirectory' })).toBe(false);
  });
});

describe('string modifiers', () => {
  it('contains, startswith, endswith (keeping wildcards inside the value)', () => {
    expect(sel({ 'a|contains': 'Mid' })({ a: 'xxmidyy' })).toBe(true);
    expect(sel({ 'a|contains': 'Mid' })({ a: 'xxmiyy' })).toBe(false);
    expect(sel({ 'a|startswith': 'pre' })({ a: 'PREfix' })).toBe(true);
    expect(sel({ 'a|startswith': 'pre' })({ a: 'xpre' })).toBe(false);
    expect(sel({ 'a|endswith': '\\cmd.exe' })({ a: 'C:\\x\\cmd.exe' })).toBe(true);
    expect(sel({ 'a|endswith': '\\cmd.exe' })({ a: 'cmd.exe' })).toBe(false);
    expect(sel({ 'a|contains': 'a?c' })({ a: 'xxabcxx' })).toBe(true);
  });

  it('all requires every value, and at least two of them', () => {
    const t = sel({ 'cmd|contains|all': ['-enc', 'hidden'] });
    expect(t({ cmd: 'powershell -enc AA -w hidden' })).toBe(true);
    expect(t({ cmd: 'powershell -enc AA' })).toBe(false);
    refused({ 'cmd|contains|all': ['x'] }, /at least two/);
  });

  it('cased compares case-sensitively', () => {
    expect(sel({ 'a|cased': 'Abc' })({ a: 'Abc' })).toBe(true);
    expect(sel({ 'a|cased': 'Abc' })({ a: 'abc' })).toBe(false);
    expect(sel({ 'a|contains|cased': 'B' })({ a: 'abc' })).toBe(false);
  });

  it('windash accepts every dash form', () => {
    const t = sel({ 'cmd|windash|contains': ' -encodedcommand ' });
    expect(t({ cmd: 'powershell /encodedcommand x' })).toBe(true);
    expect(t({ cmd: 'powershell \u2013encodedcommand x' })).toBe(true);
    expect(t({ cmd: 'powershell encodedcommand x' })).toBe(false);
  });

  it('base64 matches the encoded value exactly, case-sensitively', () => {
    expect(sel({ 'a|base64': 'http://' })({ a: Buffer.from('http://').toString('base64') })).toBe(true);
    expect(sel({ 'a|base64|contains': 'http://' })({ a: `xx${Buffer.from('http://').toString('base64')}yy` })).toBe(
      true,
    );
    expect(sel({ 'a|base64': 'http://' })({ a: Buffer.from('http://').toString('base64').toLowerCase() })).toBe(false);
    refused({ 'a|base64': 'ht*p' }, /cannot encode wildcards/);
  });

  it('base64offset finds a value at any offset inside base64 text', () => {
    const word = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(word, fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (value, before, after) => {
        fc.pre(!/[*?\\]/.test(value));
        const t = sel({ 'a|base64offset|contains': value });
        const encoded = Buffer.from(before + value + after, 'utf8').toString('base64');
        expect(t({ a: encoded })).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(sel({ 'a|base64offset|contains': 'http' })({ a: Buffer.from('ftp://x').toString('base64') })).toBe(false);
  });

  it('utf16le / wide / utf16be / utf16 then base64', () => {
    const le = Buffer.from('cmd', 'utf16le').toString('base64');
    expect(sel({ 'a|wide|base64': 'cmd' })({ a: le })).toBe(true);
    expect(sel({ 'a|utf16le|base64': 'cmd' })({ a: le })).toBe(true);
    expect(sel({ 'a|utf16be|base64': 'cmd' })({ a: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') })).toBe(
      true,
    );
    expect(
      sel({ 'a|utf16|base64': 'cmd' })({ a: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') }),
    ).toBe(true);
    refused({ 'a|wide': 'cmd' }, /must be followed by base64/);
  });

  it('re, with the i, m and s sub-modifiers, case-sensitive by default', () => {
    expect(sel({ 'a|re': '^ab+c$' })({ a: 'abbbc' })).toBe(true);
    expect(sel({ 'a|re': '^ab+c$' })({ a: 'ABBC' })).toBe(false);
    expect(sel({ 'a|re|i': '^ab+c$' })({ a: 'ABBC' })).toBe(true);
    expect(sel({ 'a|re|m': '^two$' })({ a: 'one\ntwo\nthree' })).toBe(true);
    expect(sel({ 'a|re': '^two$' })({ a: 'one\ntwo\nthree' })).toBe(false);
    expect(sel({ 'a|re|s': 'one.two' })({ a: 'one\ntwo' })).toBe(true);
    expect(sel({ 'a|re': 'one.two' })({ a: 'one\ntwo' })).toBe(false);
    refused({ 'a|re': '(' }, /invalid regular expression/);
    refused({ 'a|i': 'x' }, /sub-modifier of re/);
  });
});

describe('other modifiers', () => {
  it('cidr for IPv4 and IPv6, several ranges', () => {
    const t = sel({ 'ip|cidr': ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'] });
    expect(t({ ip: '10.200.3.4' })).toBe(true);
    expect(t({ ip: '11.0.0.1' })).toBe(false);
    expect(t({ ip: '2001:0db8:0000:0000:0000:0000:0000:0001' })).toBe(true);
    expect(t({ ip: '2001:db9::1' })).toBe(false);
    expect(t({ ip: '192.168.1.7' })).toBe(true);
    expect(t({ ip: 'not an ip' })).toBe(false);
    expect(t({})).toBe(false);
    refused({ 'ip|cidr': '10.0.0.0/33' }, /invalid CIDR/);
    refused({ 'ip|cidr': 'banana' }, /invalid CIDR/);
  });

  it('cidr agrees with integer arithmetic on random IPv4 addresses', () => {
    const ip = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 32 }),
        (net, addr, bits) => {
          const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
          const inside = (net & mask) >>> 0 === (addr & mask) >>> 0;
          expect(sel({ 'ip|cidr': `${ip((net & mask) >>> 0)}/${bits}` })({ ip: ip(addr) })).toBe(inside);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('exists true and false', () => {
    expect(sel({ 'a|exists': true })({ a: null })).toBe(true);
    expect(sel({ 'a|exists': true })({})).toBe(false);
    expect(sel({ 'a.b|exists': false })({ a: {} })).toBe(true);
    refused({ 'a|exists': 'yes' }, /exists stands alone/);
  });

  it('gt, gte, lt, lte on numbers and numeric strings', () => {
    expect(sel({ 'n|gt': 5 })({ n: 6 })).toBe(true);
    expect(sel({ 'n|gt': 5 })({ n: 5 })).toBe(false);
    expect(sel({ 'n|gte': 5 })({ n: '5' })).toBe(true);
    expect(sel({ 'n|lt': 5 })({ n: 4.5 })).toBe(true);
    expect(sel({ 'n|lte': 5 })({ n: 6 })).toBe(false);
    expect(sel({ 'n|lt': 5 })({ n: 'abc' })).toBe(false);
    expect(sel({ 'n|lt': 5 })({})).toBe(false);
    refused({ 'n|gt': 'five' }, /numeric values/);
    refused({ 'n|gt|lt': 5 }, /only one of/);
  });

  it('neq negates, fieldref compares two fields', () => {
    expect(sel({ 'a|neq': 'x' })({ a: 'y' })).toBe(true);
    expect(sel({ 'a|neq': 'x' })({ a: 'X' })).toBe(false);
    const same = sel({ 'source.ip|fieldref': 'destination.ip' });
    expect(same({ source: { ip: '1.1.1.1' }, destination: { ip: '1.1.1.1' } })).toBe(true);
    expect(same({ source: { ip: '1.1.1.1' }, destination: { ip: '2.2.2.2' } })).toBe(false);
    expect(
      sel({ 'source.ip|fieldref|neq': 'destination.ip' })({
        source: { ip: '1.1.1.1' },
        destination: { ip: '2.2.2.2' },
      }),
    ).toBe(true);
  });

  it('time modifiers take parts of a date in UTC', () => {
    expect(sel({ 'ts|hour': 23 })({ ts: '2024-05-06T23:10:00Z' })).toBe(true);
    expect(sel({ 'ts|hour|gte': 22 })({ ts: '2024-05-06T21:10:00Z' })).toBe(false);
    expect(sel({ 'ts|month': 5 })({ ts: Date.UTC(2024, 4, 1) })).toBe(true);
    expect(sel({ 'ts|week': 1 })({ ts: '2021-01-04T00:00:00Z' })).toBe(true);
    expect(sel({ 'ts|year': 2024 })({ ts: 'garbage' })).toBe(false);
  });

  it('refuses type modifiers mixed with each other or with string transformations', () => {
    refused({ 'a|contains|re': 'x' }, /re cannot be combined with contains/);
    refused({ 'a|cidr|startswith': '10.0.0.0/8' }, /cidr cannot be combined with startswith/);
    refused({ 'a|re|cidr': 'x' }, /re and cidr cannot be combined/);
    refused({ 'a|base64|gt': 1 }, /numeric comparison cannot be combined with base64/);
  });

  it('refuses placeholders and unknown modifiers', () => {
    refused({ 'a|expand': '%Servers%' }, /placeholders/);
    refused({ 'a|sounds_like': 'x' }, /unknown modifier/);
  });
});

describe('compiling arbitrary detection sections', () => {
  const key = fc
    .tuple(
      fc.constantFrom('a', 'b.c', '', 'x.y.z'),
      fc.array(
        fc.constantFrom(
          'contains',
          'all',
          're',
          'i',
          'cidr',
          'exists',
          'gt',
          'base64offset',
          'wide',
          'base64',
          'windash',
          'neq',
          'cased',
          'fieldref',
          'hour',
          'expand',
          'nope',
        ),
        { maxLength: 3 },
      ),
    )
    .map(([f, mods]) => [f, ...mods].join('|'));
  const value = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('10.0.0.0/8', '(', 'a*b', '\\*'),
  );
  const values = fc.oneof(value, fc.array(value, { maxLength: 3 }));
  const selection = fc.oneof(
    fc.dictionary(key, values, { maxKeys: 3 }),
    fc.array(fc.oneof(fc.dictionary(key, values, { maxKeys: 2 }), value), { maxLength: 3 }),
  );
  const doc = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  );

  it('either compiles to a test that never throws, or fails with SigmaCompileError', () => {
    fc.assert(
      fc.property(
        selection,
        selection,
        fc.constantFrom('s1', 's1 and not s2', '1 of s*', 'all of them', 's1 or (s2', 'nope'),
        fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'x', 'c'), doc, { maxKeys: 4 }), { maxLength: 5 }),
        (s1, s2, condition, events) => {
          let test: ((d: Record<string, unknown>) => boolean) | undefined;
          try {
            test = compileDetection({ s1, s2, condition });
          } catch (err) {
            expect(err).toBeInstanceOf(SigmaCompileError);
            return;
          }
          for (const ev of events) {
            const first = test(ev);
            expect(typeof first).toBe('boolean');
            expect(test(ev)).toBe(first);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
