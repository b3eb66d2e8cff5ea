import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { MsecError } from '../../core/errors.ts';
import { KEY_ID_RE } from './knock-packet.ts';

export const KNOCK_KEY_BYTES = 32;

/**
 * Reads a knock key file: one operator per line, `<key-id> <base64 of 32 random bytes>`, `#` comments.
 * The file must not be readable by group or others (the keys open the management port).
 */
export function readKnockKeys(path: string, opts: { requirePrivate?: boolean } = {}): Map<string, Buffer> {
  let text: string;
  try {
    if (opts.requirePrivate !== false && (statSync(path).mode & 0o077) !== 0) {
      throw new MsecError(
        'GATEWAY_KNOCK_KEYFILE_INSECURE',
        `knock key file ${path} is readable by others; chmod 600 it`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof MsecError) throw err;
    throw new MsecError(
      'GATEWAY_KNOCK_KEYFILE_UNREADABLE',
      `cannot read knock key file ${path}: ${(err as Error).message}`,
    );
  }
  const keys = new Map<string, Buffer>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+([A-Za-z0-9+/]+={0,2})$/.exec(line);
    const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
    if (!m || !KEY_ID_RE.test(m[1]!) || key?.length !== KNOCK_KEY_BYTES) {
      throw new MsecError(
        'GATEWAY_KNOCK_KEYFILE_INVALID',
        `${path}:${i + 1}: expected "<key-id (1-16 of A-Za-z0-9._-)> <base64 of 32 bytes>"`,
      );
    }
    if (keys.has(m[1]!))
      throw new MsecError('GATEWAY_KNOCK_KEYFILE_INVALID', `${path}:${i + 1}: key id ${m[1]} appears twice`);
    keys.set(m[1]!, key);
  });
  if (keys.size === 0) throw new MsecError('GATEWAY_KNOCK_KEYFILE_INVALID', `${path} holds no keys`);
  return keys;
}

/** A new key file line for an operator. */
export function newKnockKeyLine(keyId: string): string {
  if (!KEY_ID_RE.test(keyId)) throw new MsecError('VALIDATION_FAILED', 'key id must be 1-16 of A-Z a-z 0-9 . _ -');
  return `${keyId} ${randomBytes(KNOCK_KEY_BYTES).toString('base64')}`;
}
