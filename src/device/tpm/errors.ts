import { MsecError } from '../../core/errors.ts';

/** Format-0 (VER1) response codes, TPM 2.0 Part 2 §6.6.3. */
const FMT0_NAMES: Record<number, string> = {
  0x100: 'INITIALIZE',
  0x101: 'FAILURE',
  0x103: 'SEQUENCE',
  0x10b: 'PRIVATE',
  0x119: 'HMAC',
  0x120: 'DISABLED',
  0x121: 'EXCLUSIVE',
  0x124: 'AUTH_TYPE',
  0x125: 'AUTH_MISSING',
  0x126: 'POLICY',
  0x127: 'PCR',
  0x128: 'PCR_CHANGED',
  0x12d: 'UPGRADE',
  0x12e: 'TOO_MANY_CONTEXTS',
  0x12f: 'AUTH_UNAVAILABLE',
  0x130: 'REBOOT',
  0x131: 'UNBALANCED',
  0x142: 'COMMAND_SIZE',
  0x143: 'COMMAND_CODE',
  0x144: 'AUTHSIZE',
  0x145: 'AUTH_CONTEXT',
  0x146: 'NV_RANGE',
  0x147: 'NV_SIZE',
  0x148: 'NV_LOCKED',
  0x149: 'NV_AUTHORIZATION',
  0x14a: 'NV_UNINITIALIZED',
  0x14b: 'NV_SPACE',
  0x14c: 'NV_DEFINED',
  0x150: 'BAD_CONTEXT',
  0x151: 'CPHASH',
  0x152: 'PARENT',
  0x153: 'NEEDS_TEST',
  0x154: 'NO_RESULT',
  0x155: 'SENSITIVE',
};

/** Format-1 response codes (bit 7 set); the low 6 bits name the error. */
const FMT1_NAMES: Record<number, string> = {
  0x01: 'ASYMMETRIC',
  0x02: 'ATTRIBUTES',
  0x03: 'HASH',
  0x04: 'VALUE',
  0x05: 'HIERARCHY',
  0x07: 'KEY_SIZE',
  0x08: 'MGF',
  0x09: 'MODE',
  0x0a: 'TYPE',
  0x0b: 'HANDLE',
  0x0c: 'KDF',
  0x0d: 'RANGE',
  0x0e: 'AUTH_FAIL',
  0x0f: 'NONCE',
  0x10: 'PP',
  0x12: 'SCHEME',
  0x15: 'SIZE',
  0x16: 'SYMMETRIC',
  0x17: 'TAG',
  0x18: 'SELECTOR',
  0x1a: 'INSUFFICIENT',
  0x1b: 'SIGNATURE',
  0x1c: 'KEY',
  0x1d: 'POLICY_FAIL',
  0x1f: 'INTEGRITY',
  0x20: 'TICKET',
  0x21: 'RESERVED_BITS',
  0x22: 'BAD_AUTH',
  0x23: 'EXPIRED',
  0x24: 'POLICY_CC',
  0x25: 'BINDING',
  0x26: 'CURVE',
  0x27: 'ECC_POINT',
};

/** Warnings (0x900 range). */
const WARN_NAMES: Record<number, string> = {
  0x901: 'CONTEXT_GAP',
  0x902: 'OBJECT_MEMORY',
  0x903: 'SESSION_MEMORY',
  0x904: 'MEMORY',
  0x905: 'SESSION_HANDLES',
  0x906: 'OBJECT_HANDLES',
  0x907: 'LOCALITY',
  0x908: 'YIELDED',
  0x909: 'CANCELED',
  0x90a: 'TESTING',
  0x920: 'NV_RATE',
  0x921: 'LOCKOUT',
  0x922: 'RETRY',
  0x923: 'NV_UNAVAILABLE',
  // A handle (H) or session (S) that names nothing loaded, by position.
  ...Object.fromEntries(
    [0, 1, 2, 3, 4, 5, 6].flatMap((i) => [
      [0x910 + i, `REFERENCE_H${i}`],
      [0x918 + i, `REFERENCE_S${i}`],
    ]),
  ),
};

export interface DecodedResponseCode {
  rc: number;
  /** Symbolic name without the TPM_RC_ prefix, or undefined for codes we do not know. */
  name: string | undefined;
  /** For format-1 codes: which parameter, handle or session the error refers to (1-based). */
  parameter?: number;
  handle?: number;
  session?: number;
}

export function decodeResponseCode(rc: number): DecodedResponseCode {
  if (rc & 0x80) {
    const decoded: DecodedResponseCode = { rc, name: FMT1_NAMES[rc & 0x3f] };
    const n = (rc >> 8) & 0xf;
    if (rc & 0x40) decoded.parameter = n;
    else if (n & 0x8) decoded.session = n & 0x7;
    else if (n !== 0) decoded.handle = n;
    return decoded;
  }
  return { rc, name: FMT0_NAMES[rc] ?? WARN_NAMES[rc] };
}

/** Turns a non-zero TPM response code into a typed error (TPM_LOCKOUT, TPM_RC_<name>, TPM_COMMAND_FAILED). */
export function tpmResponseError(rc: number, commandCode: number): MsecError {
  const decoded = decodeResponseCode(rc);
  const rcHex = `0x${rc.toString(16).padStart(3, '0')}`;
  const details = { ...decoded, rcHex, commandCode: `0x${commandCode.toString(16)}` };
  if (decoded.name === 'LOCKOUT') {
    return new MsecError('TPM_LOCKOUT', 'TPM is in dictionary-attack lockout', { status: 503, details });
  }
  if (decoded.name) {
    return new MsecError(`TPM_RC_${decoded.name}`, `TPM command failed: TPM_RC_${decoded.name} (${rcHex})`, {
      status: 502,
      details,
    });
  }
  return new MsecError('TPM_COMMAND_FAILED', `TPM command failed with response code ${rcHex}`, {
    status: 502,
    details,
  });
}

/** True when `err` is the TPM error `TPM_RC_<name>`. */
export function isTpmRc(err: unknown, name: string): boolean {
  return err instanceof MsecError && err.code === `TPM_RC_${name}`;
}
