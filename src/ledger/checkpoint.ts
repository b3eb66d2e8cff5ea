import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { MsecError } from '../core/index.ts';
import { HASH_SIZE } from './merkle/hash.ts';

/**
 * Signed tree heads as C2SP tlog-checkpoint notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note):
 *
 *   <origin>\n<size>\n<base64 root>\n\n— <origin> <base64(keyId || signature)>\n
 *
 * signed with the platform's ECDSA P-256 key: signed-note signature type 0x02 ("ECDSA signatures as
 * implemented by github.com/transparency-dev/witness"). The signature is ASN.1 DER ECDSA-with-SHA-256
 * over the note text (the three body lines, final newline included); the 4-byte key ID is, as
 * signed-note says for this type, the first bytes of SHA-256(SubjectPublicKeyInfo DER). Verifiers
 * take the key as `<name>+<key ID hex>+base64(0x02 || SPKI DER)` (verifierKey).
 * Notes written before this format (checkpoint v1) carry the key ID SHA-256(origin || 0x0A || 0x02 ||
 * SPKI)[:4]; verifyCheckpoint still accepts them from the same key (docs/ledger.md).
 * This log writes no extension lines and rejects notes that carry any.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export interface SignedCheckpoint extends Checkpoint {
  /** The full signed note. */
  note: string;
}

/** The JSON form served by the API and written by the CLI. */
export interface CheckpointJson {
  origin: string;
  size: number;
  /** Standard base64 of the 32-byte root. */
  rootHash: string;
  note: string;
}

const MAX_NOTE = 16 * 1024;
const ORIGIN_PATTERN = /^[\x21-\x7e]{1,255}$/;
const SIG_TYPE_ECDSA = 0x02;
const DASH = '\u2014';

function malformed(message: string): MsecError {
  return new MsecError('CHECKPOINT_MALFORMED', message);
}

function spkiOf(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' });
}

/** The signed-note key ID of an ECDSA key (type 0x02): SHA-256 of its SPKI DER, first 4 bytes. */
export function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha256').update(spkiOf(publicKey)).digest().subarray(0, 4);
}

/** The key ID checkpoint v1 notes carry (before the signed-note convention was followed). */
export function legacyKeyId(origin: string, publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${origin}\n`, 'utf8'), Buffer.from([SIG_TYPE_ECDSA]), spkiOf(publicKey)]))
    .digest()
    .subarray(0, 4);
}

/** The verifier key in its standard note form: `<name>+<8 hex key ID>+base64(0x02 || SPKI DER)`. */
export function verifierKey(name: string, publicKey: KeyObject): string {
  if (!ORIGIN_PATTERN.test(name) || name.includes('+'))
    throw malformed('key name must be printable ASCII without spaces or +');
  return `${name}+${keyId(publicKey).toString('hex')}+${Buffer.concat([Buffer.from([SIG_TYPE_ECDSA]), spkiOf(publicKey)]).toString('base64')}`;
}

export function checkpointBody(c: Checkpoint): string {
  if (!ORIGIN_PATTERN.test(c.origin)) throw malformed('origin must be 1-255 printable ASCII characters without spaces');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw malformed('tree size must be a non-negative integer');
  if (c.root.length !== HASH_SIZE) throw malformed('root must be 32 bytes');
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function signCheckpoint(c: Checkpoint, privateKey: KeyObject): SignedCheckpoint {
  const body = checkpointBody(c);
  const id = keyId(createPublicKey(privateKey));
  const sig = sign('sha256', Buffer.from(body, 'utf8'), privateKey);
  return { ...c, note: `${body}\n${DASH} ${c.origin} ${Buffer.concat([id, sig]).toString('base64')}\n` };
}

function strictBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw malformed(`${what} is not base64`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw malformed(`${what} is not canonical base64`);
  return bytes;
}

/** Parses a checkpoint note without checking signatures. */
export function parseCheckpoint(text: unknown): {
  checkpoint: Checkpoint;
  body: string;
  signatures: { name: string; bytes: Buffer }[];
} {
  if (typeof text !== 'string') throw malformed('checkpoint must be text');
  if (text.length > MAX_NOTE) throw malformed('checkpoint is too long');
  // signed-note: valid UTF-8 (a JS string from a decoder), no control characters but newline.
  if (/[\x00-\x09\x0b-\x1f\x7f]/.test(text)) throw malformed('checkpoint contains control characters');
  const split = text.indexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) throw malformed('checkpoint has no signature block');
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 3) throw malformed('checkpoint body must be exactly origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!ORIGIN_PATTERN.test(origin)) throw malformed('origin line is invalid');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw malformed('tree size line is invalid');
  const root = strictBase64(rootText, 'root hash');
  if (root.length !== HASH_SIZE) throw malformed('root hash is not 32 bytes');

  const sigLines = text.slice(split + 2, -1).split('\n');
  const signatures = sigLines.map((line) => {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw malformed('signature line is malformed');
    const bytes = strictBase64(m[2] as string, 'signature');
    if (bytes.length < 5) throw malformed('signature is too short');
    return { name: m[1] as string, bytes };
  });
  return { checkpoint: { origin, size: Number(sizeText), root }, body, signatures };
}

/** Parses and checks the platform key's signature; returns the checkpoint it vouches for. */
export function verifyCheckpoint(text: unknown, publicKey: KeyObject, expectedOrigin?: string): SignedCheckpoint {
  const { checkpoint, body, signatures } = parseCheckpoint(text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new MsecError('CHECKPOINT_BAD_SIGNATURE', `checkpoint origin ${checkpoint.origin} is not ${expectedOrigin}`);
  }
  const ids = [keyId(publicKey), legacyKeyId(checkpoint.origin, publicKey)];
  const mine = signatures.filter(
    (s) => s.name === checkpoint.origin && ids.some((id) => s.bytes.subarray(0, 4).equals(id)),
  );
  if (mine.length === 0) throw new MsecError('CHECKPOINT_BAD_SIGNATURE', 'checkpoint is not signed by this key');
  for (const s of mine) {
    let ok = false;
    try {
      ok = verify('sha256', Buffer.from(body, 'utf8'), publicKey, s.bytes.subarray(4));
    } catch {
      ok = false;
    }
    if (ok) return { ...checkpoint, note: text as string };
  }
  throw new MsecError('CHECKPOINT_BAD_SIGNATURE', 'checkpoint signature does not verify');
}

export function checkpointToJson(c: SignedCheckpoint): CheckpointJson {
  return { origin: c.origin, size: c.size, rootHash: c.root.toString('base64'), note: c.note };
}

/** Accepts the JSON form or the bare note text; the note is what gets verified. */
export function checkpointNoteFrom(input: unknown): string {
  if (typeof input === 'string') return input;
  const note = (input as { note?: unknown } | null)?.note;
  if (typeof note !== 'string') throw malformed('checkpoint JSON has no note');
  return note;
}
