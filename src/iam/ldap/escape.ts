/**
 * Escaping for values placed in LDAP search filters (RFC 4515 §3): every byte that could change
 * the filter's structure — `*`, `(`, `)`, `\` and NUL — becomes `\XX`. Non-ASCII text is left as
 * UTF-8, which the RFC allows; control bytes are escaped too so logs stay readable.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c || byte < 0x20 || byte === 0x7f) {
      out += `\\${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += String.fromCharCode(byte);
    }
  }
  // Re-decode so multi-byte UTF-8 sequences come back as characters.
  return Buffer.from(out, 'latin1').toString('utf8');
}

/** Inverse of escapeFilterValue (for tests and diagnostics): `\XX` back to bytes. */
export function unescapeFilterValue(escaped: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(escaped, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
