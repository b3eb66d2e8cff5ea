import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeParamValue,
  formatSyslog,
  frameOctetCounted,
  splitOctetCounted,
  wellFormed,
  type SyslogMessage,
} from './format.ts';

interface Parsed {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: Array<{ id: string; params: Array<[string, string]> }> | null;
  msg: string | undefined;
  bom: boolean;
}

const SD_NAME = /^[\x21-\x7e]{1,32}$/;

/** A receiver's parser written from the RFC 5424 ABNF (independent of the formatter). */
function parse(text: string): Parsed {
  const header = /^<(\d{1,3})>(1) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!header) throw new Error(`bad header: ${text.slice(0, 80)}`);
  const [, pri, version, timestamp, hostname, appName, procId, msgId] = header;
  let i = header[0].length;
  let sd: Parsed['sd'] = null;
  if (text[i] === '-') i++;
  else {
    sd = [];
    while (text[i] === '[') {
      i++;
      let id = '';
      while (text[i] !== ' ' && text[i] !== ']') id += text[i++];
      if (!SD_NAME.test(id) || /[=\]"]/.test(id)) throw new Error(`bad SD-ID ${id}`);
      const params: Array<[string, string]> = [];
      while (text[i] === ' ') {
        i++;
        let name = '';
        while (text[i] !== '=') {
          if (i >= text.length) throw new Error('unterminated PARAM-NAME');
          name += text[i++];
        }
        if (!SD_NAME.test(name) || /[ \]"]/.test(name)) throw new Error(`bad PARAM-NAME ${name}`);
        i++;
        if (text[i++] !== '"') throw new Error('PARAM-VALUE must be quoted');
        let value = '';
        for (;;) {
          if (i >= text.length) throw new Error('unterminated PARAM-VALUE');
          const c = text[i++]!;
          if (c === '\\' && (text[i] === '"' || text[i] === '\\' || text[i] === ']')) value += text[i++];
          else if (c === '"') break;
          else if (c === ']') throw new Error('unescaped ] in PARAM-VALUE');
          else value += c;
        }
        params.push([name, value]);
      }
      if (text[i++] !== ']') throw new Error('SD-ELEMENT not closed');
      sd.push({ id, params });
    }
    if (sd.length === 0) throw new Error('STRUCTURED-DATA is neither - nor an element');
  }
  let msg: string | undefined;
  let bom = false;
  if (i < text.length) {
    if (text[i] !== ' ') throw new Error('MSG must follow a space');
    msg = text.slice(i + 1);
    if (msg.startsWith('\uFEFF')) {
      bom = true;
      msg = msg.slice(1);
    }
  }
  return {
    pri: Number(pri),
    version: version!,
    timestamp: timestamp!,
    hostname: hostname!,
    appName: appName!,
    procId: procId!,
    msgId: msgId!,
    sd,
    msg,
    bom,
  };
}

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const nasty = fc.oneof(anyText, fc.constantFrom('"', '\\', ']', '\\"', '"]', '\\\\]', '=', ' ', '', '-', '\n'));

describe('RFC 5424 formatting', () => {
  it('writes the header, SD and a BOM-prefixed MSG exactly', () => {
    const m: SyslogMessage = {
      facility: 13,
      severity: 6,
      at: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      hostname: 'hub-1',
      appName: 'msec',
      procId: '42',
      msgId: 'audit',
      structuredData: [{ id: 'audit@32473', params: { id: 7, actorName: 'a"b\\c]d', status: null } }],
      msg: 'succeeded iam:principal:create',
    };
    expect(formatSyslog(m)).toBe(
      '<110>1 2026-01-02T03:04:05.678Z hub-1 msec 42 audit [audit@32473 id="7" actorName="a\\"b\\\\c\\]d"] \uFEFFsucceeded iam:principal:create',
    );
    expect(formatSyslog({ ...m, structuredData: [], msg: undefined, hostname: '' })).toBe(
      '<110>1 2026-01-02T03:04:05.678Z - msec 42 audit -',
    );
    expect(frameOctetCounted('<1>1 é').toString('utf8')).toBe('7 <1>1 é');
  });

  it('round-trips any parameter value and message through an ABNF parser', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), nasty, { maxKeys: 6 }),
        anyText,
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 60 }),
        (params, id, host, msg) => {
          const m: SyslogMessage = {
            facility: 4,
            severity: 4,
            at: 0,
            hostname: host,
            appName: 'msec',
            procId: '1',
            msgId: 'security',
            structuredData: [{ id: id === '' ? 'x' : id, params }],
            msg,
          };
          const text = formatSyslog(m);
          const p = parse(text);
          expect(p.pri).toBe(36);
          expect(p.version).toBe('1');
          expect(p.timestamp).toBe('1970-01-01T00:00:00.000Z');
          expect(p.hostname.length).toBeLessThanOrEqual(255);
          expect(p.hostname).toMatch(/^[\x21-\x7e]+$/);
          expect(p.sd).toHaveLength(1);
          // Every value comes back as written (after lone surrogates are replaced).
          const values = p.sd![0]!.params.map(([, v]) => v);
          expect(values).toEqual(Object.values(params).map((v) => wellFormed(v)));
          if (msg === '') expect(p.msg).toBeUndefined();
          else {
            expect(p.bom).toBe(true);
            expect(p.msg).toBe(wellFormed(msg));
          }
          // Valid UTF-8: encoding and decoding gives the same text.
          expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('escapes only the three characters the RFC names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (v) => {
        const e = escapeParamValue(v);
        expect(e.replace(/\\(["\\\]])/g, '')).not.toMatch(/["\]]/);
        expect(e.length - v.length).toBe([...v.matchAll(/["\\\]]/g)].length);
      }),
    );
  });

  it('octet-counted frames split back whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 80 }), { maxLength: 8 }), fc.nat(50), (msgs, cut) => {
        const stream = Buffer.concat(msgs.map((m) => frameOctetCounted(wellFormed(m))));
        const at = Math.min(cut, stream.length);
        const first = splitOctetCounted(stream.subarray(0, at));
        const second = splitOctetCounted(Buffer.concat([first.rest, stream.subarray(at)]));
        expect([...first.messages, ...second.messages]).toEqual(msgs.map(wellFormed));
        expect(second.rest.length).toBe(0);
      }),
    );
  });
});
