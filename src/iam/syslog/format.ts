/**
 * RFC 5424 syslog messages and RFC 6587 §3.4.1 octet-counting frames (the framing RFC 5425
 * requires over TLS). Header fields are PRINTUSASCII with their RFC lengths, or the NILVALUE `-`;
 * SD-NAMEs drop `=`, space, `]` and `"`; PARAM-VALUEs escape `"`, `\` and `]`; MSG is UTF-8 with BOM.
 */

export const NIL = '-';
const BOM = '\uFEFF';

/** RFC 5424 §6.2.1 facilities used here, and severities. */
export const FACILITY = { auth: 4, authpriv: 10, logAudit: 13 } as const;
export const SEVERITY = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const;

export interface SyslogMessage {
  facility: number;
  severity: number;
  /** Milliseconds since the epoch; written as an RFC 3339 UTC timestamp. */
  at: number;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** SD-ID → parameters; undefined and null parameters are left out. */
  structuredData?: Array<{ id: string; params: Record<string, string | number | boolean | null | undefined> }>;
  msg?: string | undefined;
}

/** Characters 33..126, at most `max` of them; anything else becomes `_`; empty → `-`. */
export function printUsAscii(value: string, max: number): string {
  const s = [...value]
    .map((c) => {
      const code = c.codePointAt(0)!;
      return code >= 33 && code <= 126 ? c : '_';
    })
    .join('')
    .slice(0, max);
  return s === '' ? NIL : s;
}

/** RFC 5424 §6.3.2 SD-NAME: 1..32 PRINTUSASCII except `=`, SP, `]`, `"`. */
export function sdName(value: string): string {
  const s = [...value]
    .filter((c) => {
      const code = c.codePointAt(0)!;
      return code >= 33 && code <= 126 && c !== '=' && c !== ']' && c !== '"';
    })
    .join('')
    .slice(0, 32);
  return s === '' ? '_' : s;
}

/** Lone UTF-16 surrogates (which have no UTF-8 form) become U+FFFD. */
export function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** RFC 5424 §6.3.3 PARAM-VALUE: `"`, `\` and `]` escaped with a backslash; lone surrogates replaced. */
export function escapeParamValue(value: string): string {
  return wellFormed(value).replace(/["\\\]]/g, (c: string) => `\\${c}`);
}

/** Undoes escapeParamValue (a receiver's view; used by tests). */
export function unescapeParamValue(value: string): string {
  return value.replace(/\\(["\\\]])/g, '$1');
}

export function formatStructuredData(sd: SyslogMessage['structuredData']): string {
  if (!sd?.length) return NIL;
  return sd
    .map(({ id, params }) => {
      const parts = Object.entries(params)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => `${sdName(k)}="${escapeParamValue(String(v))}"`);
      return `[${sdName(id)}${parts.length ? ' ' + parts.join(' ') : ''}]`;
    })
    .join('');
}

/** The RFC 5424 SYSLOG-MSG text. */
export function formatSyslog(m: SyslogMessage): string {
  const pri = Math.trunc(m.facility) * 8 + Math.trunc(m.severity);
  if (!(pri >= 0 && pri <= 191)) throw new RangeError(`syslog PRI out of range: ${pri}`);
  const header = [
    `<${pri}>1`,
    new Date(m.at).toISOString(),
    printUsAscii(m.hostname, 255),
    printUsAscii(m.appName, 48),
    printUsAscii(m.procId, 128),
    printUsAscii(m.msgId, 32),
  ].join(' ');
  const msg = m.msg === undefined || m.msg === '' ? '' : ` ${BOM}${wellFormed(m.msg)}`;
  return `${header} ${formatStructuredData(m.structuredData)}${msg}`;
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN in octets. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/**
 * Splits a byte stream of octet-counted frames: the complete messages and the unread rest
 * (a receiver's side; used by the TLS test receiver).
 */
export function splitOctetCounted(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let off = 0;
  for (;;) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) break;
    const lenText = buf.subarray(off, sp).toString('ascii');
    if (!/^[1-9][0-9]{0,8}$/.test(lenText)) throw new Error(`bad octet count "${lenText}"`);
    const len = Number(lenText);
    if (buf.length < sp + 1 + len) break;
    messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    off = sp + 1 + len;
  }
  return { messages, rest: buf.subarray(off) };
}
