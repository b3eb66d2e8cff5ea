/** TPM 2.0 constants (TCG TPM 2.0 Library Part 2) used by the native command path. */

export const TPM_ST = {
  NO_SESSIONS: 0x8001,
  SESSIONS: 0x8002,
  ATTEST_QUOTE: 0x8018,
  HASHCHECK: 0x8024,
} as const;

export const TPM_CC = {
  EvictControl: 0x120,
  ActivateCredential: 0x147,
  CreatePrimary: 0x131,
  SelfTest: 0x143,
  Startup: 0x144,
  PolicySecret: 0x151,
  Create: 0x153,
  ECDH_ZGen: 0x154,
  Load: 0x157,
  Quote: 0x158,
  Sign: 0x15d,
  FlushContext: 0x165,
  ReadPublic: 0x173,
  StartAuthSession: 0x176,
  GetRandom: 0x17b,
  Hash: 0x17d,
  PCR_Read: 0x17e,
  PCR_Extend: 0x182,
} as const;

export const TPM_ALG = {
  RSA: 0x0001,
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  KEYEDHASH: 0x0008,
  SHA256: 0x000b,
  NULL: 0x0010,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  ECC: 0x0023,
  CFB: 0x0043,
} as const;

export const TPM_ECC_NIST_P256 = 0x0003;

export const TPM_RH = {
  OWNER: 0x40000001,
  NULL: 0x40000007,
  PW: 0x40000009,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
} as const;

export const TPM_SE = { HMAC: 0, POLICY: 1, TRIAL: 3 } as const;

export const TPM_GENERATED_VALUE = 0xff544347;

/** TPMA_OBJECT bits. */
export const TPMA_OBJECT = {
  fixedTPM: 1 << 1,
  fixedParent: 1 << 4,
  sensitiveDataOrigin: 1 << 5,
  userWithAuth: 1 << 6,
  adminWithPolicy: 1 << 7,
  noDA: 1 << 10,
  restricted: 1 << 16,
  decrypt: 1 << 17,
  sign: 1 << 18,
} as const;

/** Persistent handle range for owner objects (TCG handle registry). */
export const PERSISTENT_OWNER_FIRST = 0x81000000;
export const PERSISTENT_OWNER_LAST = 0x8100ffff;
/** The SRK's conventional persistent handle. */
export const SRK_PERSISTENT_HANDLE = 0x81000001;
/** The ECC EK's conventional persistent handle (TCG EK profile). */
export const EK_ECC_PERSISTENT_HANDLE = 0x81010002;

/** Largest response we accept; real TPMs cap at a few KiB. */
export const MAX_RESPONSE_SIZE = 8192;
