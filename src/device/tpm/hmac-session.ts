/**
 * A salted HMAC session with parameter encryption (TPM 2.0 Part 1 §19 and §21), the protection
 * tpm2-tools gives with `tpm2_startauthsession --hmac-session -c <key>`. Without it, anyone on the
 * bus between the CPU and a discrete TPM (or on the socket to a TPM simulator or proxy) reads the
 * ECDH shared points the TPM returns and can alter the digests it is asked to sign.
 *
 * - Salted with the storage root key: the session key comes from a secret only that TPM can
 *   recover, so an observer who sees every nonce still cannot derive it.
 * - Every command it authorises carries an HMAC over the command code, the handles' Names and the
 *   parameters; every response's HMAC is checked before a byte of it is used.
 * - AES-128-CFB encrypts the first parameter of a command (`decrypt`) and of a response
 *   (`encrypt`) where that parameter is a sized buffer.
 * Nonces roll with every command, so the session runs one command at a time.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MsecError } from '../../core/errors.ts';
import { TPM_ALG, TPM_CC, TPM_RH, TPM_SE } from './constants.ts';
import { eccSecret, kdfa } from './makecredential.ts';
import { TpmReader, TpmWriter } from './marshal.ts';
import type { CommandResult, TpmClient } from './client.ts';
import { flushContext } from './commands/base.ts';
import type { EccPoint } from './structures.ts';

/** TPMA_SESSION bits. */
export const TPMA_SESSION = { continueSession: 0x01, decrypt: 0x20, encrypt: 0x40 } as const;

const NONCE_BYTES = 32;
const AES_KEY_BITS = 128;
const AES_BLOCK_BITS = 128;

export interface SessionCommand {
  /** Handles of the command; the session authorises the first (an object with an empty auth value). */
  handles: number[];
  /** The TPM Name of each handle, in order: the command HMAC covers them. */
  names: Uint8Array[];
  params: Uint8Array;
  responseHandles?: number;
  /** Encrypt the first command parameter (it must be a TPM2B). */
  decrypt?: boolean;
  /** Have the TPM encrypt the first response parameter (it must be a TPM2B). */
  encrypt?: boolean;
}

function badResponse(message: string): MsecError {
  return new MsecError('TPM_BAD_RESPONSE_HMAC', message, { status: 502 });
}

/** A copy of `area` with the data of its leading TPM2B replaced by `transform(data)`; the size stays clear. */
function cryptFirstParameter(area: Buffer, transform: (data: Buffer) => Buffer): Buffer {
  if (area.length < 2)
    throw new MsecError('TPM_MALFORMED_RESPONSE', 'no sized first parameter to encrypt', { status: 502 });
  const size = area.readUInt16BE(0);
  if (2 + size > area.length)
    throw new MsecError('TPM_MALFORMED_RESPONSE', 'first parameter overruns the parameter area', { status: 502 });
  const out = Buffer.from(area);
  transform(area.subarray(2, 2 + size)).copy(out, 2);
  return out;
}

export class HmacSession {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set once a response failed its HMAC: the TPM's nonce is then unknown, so the session is done. */
  broken = false;

  private constructor(
    private readonly tpm: TpmClient,
    readonly handle: number,
    private readonly sessionKey: Buffer,
    private nonceTpm: Buffer,
  ) {}

  /**
   * TPM2_StartAuthSession: HMAC session, salted to `saltKey` (a loaded ECC P-256 storage key, e.g.
   * the SRK), unbound, SHA-256, AES-128-CFB parameter encryption.
   */
  static async startSalted(tpm: TpmClient, saltKey: { handle: number; point: EccPoint }): Promise<HmacSession> {
    const nonceCaller = randomBytes(NONCE_BYTES);
    const { seed: salt, encryptedSecret } = eccSecret(saltKey.point, 'SECRET');
    const params = new TpmWriter()
      .tpm2b(nonceCaller)
      .tpm2b(encryptedSecret)
      .u8(TPM_SE.HMAC)
      .u16(TPM_ALG.AES)
      .u16(AES_KEY_BITS)
      .u16(TPM_ALG.CFB)
      .u16(TPM_ALG.SHA256)
      .toBuffer();
    const res = await tpm.execute(TPM_CC.StartAuthSession, {
      handles: [saltKey.handle, TPM_RH.NULL],
      params,
      responseHandles: 1,
    });
    const handle = res.handles[0] ?? res.params.fail('no session handle');
    const nonceTpm = res.params.tpm2b('nonceTPM', 64);
    // Unbound: the key is KDFa(salt) alone (bind auth value empty), Part 1 §19.6.8.
    const sessionKey = kdfa(salt, 'ATH', nonceTpm, nonceCaller, 256);
    return new HmacSession(tpm, handle, sessionKey, nonceTpm);
  }

  /** Runs a command under this session; one at a time, since every command rolls the nonces. */
  execute(commandCode: number, cmd: SessionCommand): Promise<CommandResult> {
    const run = this.queue.then(() => this.run(commandCode, cmd));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Flushes the session from the TPM. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await flushContext(this.tpm, this.handle).catch(() => undefined);
  }

  private async run(commandCode: number, cmd: SessionCommand): Promise<CommandResult> {
    if (this.closed) throw new MsecError('TPM_SESSION_CLOSED', 'the TPM session is closed', { status: 503 });
    if (this.broken)
      throw new MsecError('TPM_SESSION_BROKEN', 'the TPM session failed a response check; start a new one', {
        status: 503,
      });
    const nonceCaller = randomBytes(NONCE_BYTES);
    const attributes =
      TPMA_SESSION.continueSession |
      (cmd.decrypt ? TPMA_SESSION.decrypt : 0) |
      (cmd.encrypt ? TPMA_SESSION.encrypt : 0);
    // Parameters are encrypted first; cpHash covers them as sent.
    const params = cmd.decrypt
      ? cryptFirstParameter(Buffer.from(cmd.params), (data) => this.cfb(data, nonceCaller, this.nonceTpm, 'encrypt'))
      : Buffer.from(cmd.params);
    const cpHash = createHash('sha256').update(new TpmWriter().u32(commandCode).toBuffer());
    for (const name of cmd.names) cpHash.update(name);
    cpHash.update(params);
    const hmac = this.hmac(cpHash.digest(), nonceCaller, this.nonceTpm, attributes);

    const res = await this.tpm.execute(commandCode, {
      handles: cmd.handles,
      sessions: [{ handle: this.handle, nonce: nonceCaller, attributes, hmac }],
      params,
      ...(cmd.responseHandles ? { responseHandles: cmd.responseHandles } : {}),
    });
    const auth = res.auths[0];
    if (!auth || auth.nonce.length !== NONCE_BYTES) {
      this.broken = true;
      throw badResponse('the TPM response carries no session nonce');
    }
    const rpHash = createHash('sha256')
      .update(new TpmWriter().u32(0).u32(commandCode).toBuffer())
      .update(res.paramBytes)
      .digest();
    const expected = this.hmac(rpHash, auth.nonce, nonceCaller, auth.attributes);
    if (auth.hmac.length !== expected.length || !timingSafeEqual(auth.hmac, expected)) {
      this.broken = true;
      throw badResponse('the TPM response HMAC does not verify: the response was altered or is not from this TPM');
    }
    this.nonceTpm = auth.nonce;
    if (!cmd.encrypt) return res;
    const clear = cryptFirstParameter(res.paramBytes, (data) => this.cfb(data, auth.nonce, nonceCaller, 'decrypt'));
    return { ...res, params: new TpmReader(clear), paramBytes: clear };
  }

  /** HMAC(sessionKey || authValue, pHash || nonceNewer || nonceOlder || attributes); our objects' auth values are empty. */
  private hmac(pHash: Buffer, nonceNewer: Uint8Array, nonceOlder: Uint8Array, attributes: number): Buffer {
    return createHmac('sha256', this.sessionKey)
      .update(pHash)
      .update(nonceNewer)
      .update(nonceOlder)
      .update(Buffer.from([attributes]))
      .digest();
  }

  /** AES-128-CFB with key and IV from KDFa(sessionKey, "CFB", nonceNewer, nonceOlder), Part 1 §21.4. */
  private cfb(data: Buffer, nonceNewer: Uint8Array, nonceOlder: Uint8Array, direction: 'encrypt' | 'decrypt'): Buffer {
    const keyIv = kdfa(this.sessionKey, 'CFB', nonceNewer, nonceOlder, AES_KEY_BITS + AES_BLOCK_BITS);
    const key = keyIv.subarray(0, AES_KEY_BITS / 8);
    const iv = keyIv.subarray(AES_KEY_BITS / 8);
    const cipher =
      direction === 'encrypt' ? createCipheriv('aes-128-cfb', key, iv) : createDecipheriv('aes-128-cfb', key, iv);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  }
}
