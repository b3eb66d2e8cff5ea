/**
 * Value encodings of the Sigma modifiers base64offset and utf16*, as pySigma defines them.
 */

export function encodeUtf16(text: string, kind: 'utf16le' | 'utf16be' | 'utf16'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (kind === 'utf16le') return le;
  if (kind === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return be;
}

/**
 * The three base64 forms a value takes depending on its offset in the encoded string: encode with
 * 0, 1 or 2 leading bytes, then keep only the characters that do not depend on neighbouring bytes.
 */
export function base64Offsets(value: Buffer): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), value]).toString('base64');
    out.push(encoded.slice(starts[i], ends[(value.length + i) % 3]));
  }
  return out;
}
