/**
 * Encryption at rest of federation secrets (an agreement's pseudonymisation HMAC secret, the API
 * key a partner issued us): AES-256-GCM under a key file in the data directory (0600, created on
 * first use), so a copy of the database alone does not let anyone push as us to a partner or
 * reverse pseudonyms. Each value is bound to its row and column (additional data), so sealed
 * values cannot be swapped between rows. Hubs sharing one database need the same key file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MsecError, readTextIfExists, writePrivateFile } from '../../core/index.ts';

const PREFIX = 'enc1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretSealer {
  seal(plain: string, context: string): string;
  /** Plain text for values stored before encryption existed (no prefix). */
  open(stored: string, context: string): string;
}

export function federationKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'federation-secrets.key');
}

export class SecretBox implements SecretSealer {
  private key: Buffer | undefined;

  /** `loadKey` runs once, on first use. */
  constructor(private readonly loadKey: () => Buffer) {}

  /** The key in `<dataDir>/keys/federation-secrets.key`, created (32 random bytes, 0600) if absent. */
  static forDataDir(dataDir: string): SecretBox {
    const path = federationKeyPath(dataDir);
    return new SecretBox(() => {
      const existing = readTextIfExists(path)?.trim();
      if (existing) {
        const key = Buffer.from(existing, 'base64');
        if (key.length !== 32) throw new MsecError('CONFIG_INVALID', `${path} does not hold a 256-bit key`);
        return key;
      }
      const key = randomBytes(32);
      writePrivateFile(path, `${key.toString('base64')}\n`);
      return key;
    });
  }

  private get k(): Buffer {
    return (this.key ??= this.loadKey());
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.k, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(stored: string, context: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.k, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new MsecError(
        'FEDERATION_SECRET_UNREADABLE',
        'a federation secret does not decrypt with this data directory’s key (keys/federation-secrets.key)',
        { status: 500 },
      );
    }
  }
}
