import type { KeyObject } from 'node:crypto';
import { MsecError, errorMessage } from '../../core/errors.ts';
import { verifyProofBundle, type LedgerEntry, type SignedCheckpoint } from '../../ledger/index.ts';
import { sha256Hex } from './crypto.ts';
import { b64urlDecode } from './envelope.ts';

export interface LedgerBundleJson {
  entry: unknown;
  proof: unknown;
  checkpoint: unknown;
}

/**
 * Checks, without trusting the server, that this ciphertext is the one logged: its SHA-256 is the
 * data hash of a 'vault.record' entry included in a checkpoint signed by the log's key.
 */
export async function verifyRecordInLog(
  ciphertextB64url: string,
  ledger: LedgerBundleJson,
  logKey: KeyObject,
): Promise<{ entry: LedgerEntry; checkpoint: SignedCheckpoint }> {
  const hash = await sha256Hex(b64urlDecode(ciphertextB64url, 'ciphertext'));
  return verifyHashInLog(hash, ledger, logKey);
}

/** The same check from a hash alone (what survives erasure). */
export function verifyHashInLog(
  hashHex: string,
  ledger: LedgerBundleJson,
  logKey: KeyObject,
): { entry: LedgerEntry; checkpoint: SignedCheckpoint } {
  let proved: { entry: LedgerEntry; checkpoint: SignedCheckpoint };
  try {
    proved = verifyProofBundle(ledger, logKey);
  } catch (err) {
    throw new MsecError('VAULT_PROOF_INVALID', `the ledger proof does not verify: ${errorMessage(err)}`, {
      status: 502,
    });
  }
  if (proved.entry.kind !== 'vault.record')
    throw new MsecError('VAULT_PROOF_INVALID', `the proved entry is a ${proved.entry.kind}, not a vault record`, {
      status: 502,
    });
  if (proved.entry.dataHash !== hashHex)
    throw new MsecError('VAULT_PROOF_INVALID', 'the logged hash is not the hash of this ciphertext', { status: 502 });
  return proved;
}
