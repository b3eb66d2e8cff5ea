/**
 * Verifies a ledger entry, inclusion proof and signed checkpoint entirely in the browser with
 * WebCrypto, so the result does not depend on trusting the server that served them:
 * - entry leaf: SHA-256(0x00 || "msec-ledger-entry/v1\n<kind>\n<dataHash>\n<timestamp>\n") (RFC 9162 §2.1.1);
 * - inclusion: the RFC 9162 §2.1.3.2 algorithm, to the checkpoint's root;
 * - checkpoint: a C2SP signed note, ECDSA P-256 / SHA-256 over its body, key ID checked.
 * Plain functions over Uint8Array: the same code runs under Node's WebCrypto in the unit test.
 */
export type Verdict = { ok: true; index: number; size: number; origin: string } | { ok: false; reason: string };

const enc = new TextEncoder();
const subtle = globalThis.crypto.subtle;

class Refused extends Error {}
const refuse = (reason: string): never => {
  throw new Refused(reason);
};

function b64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) refuse(`${what} is not base64`);
  const bin = atob(text);
  // Canonical only: unused low bits in the last character would let two texts mean the same bytes.
  if (btoa(bin) !== text) refuse(`${what} is not canonical base64`);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new Uint8Array(await subtle.digest('SHA-256', all));
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to. */
async function rootFromProof(index: number, size: number, leaf: Uint8Array, path: Uint8Array[]): Promise<Uint8Array> {
  if (index >= size) refuse(`entry ${index} is not below tree size ${size}`);
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  const one = new Uint8Array([1]);
  for (const p of path) {
    if (sn === 0n) refuse('the proof is longer than the tree is deep');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(one, p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await sha256(one, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) refuse('the proof is too short for this tree size');
  return r;
}

/** An ASN.1 DER ECDSA signature as WebCrypto's raw r || s (32 bytes each for P-256). */
function derToRaw(der: Uint8Array): Uint8Array {
  const fail = () => refuse('checkpoint signature is not DER ECDSA');
  if (der[0] !== 0x30 || der[1] !== der.length - 2) fail();
  const out = new Uint8Array(64);
  let o = 2;
  for (const at of [0, 32]) {
    if (der[o] !== 0x02) fail();
    const len = der[o + 1]!;
    let v = der.subarray(o + 2, o + 2 + len);
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32 || v.length === 0) fail();
    out.set(v, at + 32 - v.length);
    o += 2 + len;
  }
  if (o !== der.length) fail();
  return out;
}

function pemToSpki(pem: string): Uint8Array {
  const m = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!m) refuse('public key is not a PEM "PUBLIC KEY"');
  return b64(m![1]!.replace(/\s+/g, ''), 'public key');
}

async function verifyNote(note: string, pem: string): Promise<{ origin: string; size: number; root: Uint8Array }> {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) refuse('checkpoint note has no signature block');
  const body = note.slice(0, split + 1);
  const lines = body.split('\n');
  if (lines.length !== 4) refuse('checkpoint body must be origin, size and root');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) refuse('checkpoint size is not a number');
  const root = b64(rootText, 'checkpoint root');
  if (root.length !== 32) refuse('checkpoint root is not 32 bytes');
  const spki = pemToSpki(pem);
  // C2SP signed note, ECDSA: the key ID is SHA-256 of the SubjectPublicKeyInfo; checkpoint v1 notes
  // carried SHA-256(origin ‖ 0x0A ‖ 0x02 ‖ SPKI) instead (docs/ledger.md), still accepted here.
  const keyId = (await sha256(spki)).subarray(0, 4);
  const legacyKeyId = (await sha256(enc.encode(`${origin}\n`), new Uint8Array([2]), spki)).subarray(0, 4);
  const key = await subtle
    .importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    .catch(() => refuse('public key is not ECDSA P-256'));
  const prefix = `\u2014 ${origin} `;
  for (const line of note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean)) {
    if (!line.startsWith(prefix)) continue;
    const sig = b64(line.slice(prefix.length), 'signature');
    if (sig.length < 5 || !(equal(sig.subarray(0, 4), keyId) || equal(sig.subarray(0, 4), legacyKeyId))) continue;
    const ok = await subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      derToRaw(sig.subarray(4)) as Uint8Array<ArrayBuffer>,
      enc.encode(body) as Uint8Array<ArrayBuffer>,
    );
    if (ok) return { origin, size: Number(sizeText), root };
    refuse('checkpoint signature does not verify with this key');
  }
  return refuse('checkpoint carries no signature by this key');
}

/** Entry + proof + checkpoint (the JSON `msec ledger proof` writes), checked against a pinned key. */
export async function verifyBundle(
  entry: unknown,
  proof: unknown,
  checkpoint: unknown,
  publicKeyPem: string,
): Promise<Verdict> {
  try {
    const e = entry as { index?: unknown; kind?: unknown; dataHash?: unknown; timestamp?: unknown } | null;
    if (
      !e ||
      !isInt(e.index) ||
      !isInt(e.timestamp) ||
      typeof e.kind !== 'string' ||
      !/^[\x21-\x7e]{1,128}$/.test(e.kind) ||
      typeof e.dataHash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(e.dataHash)
    ) {
      return refuse('entry must hold index, kind, dataHash (64 lowercase hex) and timestamp');
    }
    const p = proof as { format?: unknown; index?: unknown; treeSize?: unknown; hashes?: unknown } | null;
    if (
      !p ||
      p.format !== 'msec.ledger.inclusion/v1' ||
      !isInt(p.index) ||
      !isInt(p.treeSize) ||
      !Array.isArray(p.hashes) ||
      p.hashes.length > 64
    ) {
      return refuse('proof is not an msec.ledger.inclusion/v1 document');
    }
    const path = p.hashes.map((h: unknown) =>
      typeof h === 'string' && h.length === 44 ? b64(h, 'proof hash') : refuse('proof hash is not base64 of 32 bytes'),
    );
    const note = typeof checkpoint === 'string' ? checkpoint : (checkpoint as { note?: unknown } | null)?.note;
    if (typeof note !== 'string') return refuse('checkpoint has no signed note');
    const head = await verifyNote(note, publicKeyPem);
    if (p.index !== e.index) refuse(`proof is for entry ${p.index}, not ${e.index}`);
    if (p.treeSize !== head.size) refuse(`proof is for tree size ${p.treeSize}, the checkpoint has ${head.size}`);
    const leaf = await sha256(
      new Uint8Array([0]),
      enc.encode(`msec-ledger-entry/v1\n${e.kind}\n${e.dataHash}\n${e.timestamp}\n`),
    );
    if (!equal(await rootFromProof(e.index, head.size, leaf, path), head.root))
      refuse('the proof does not lead to the signed root: the entry is not in this log');
    return { ok: true, index: e.index, size: head.size, origin: head.origin };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    return { ok: false, reason: `cannot verify: ${String(err)}` };
  }
}
