import type { KeyObject } from 'node:crypto';
import { MsecError } from '../core/index.ts';
import {
  checkpointNoteFrom,
  checkpointToJson,
  verifyCheckpoint,
  type CheckpointJson,
  type SignedCheckpoint,
} from './checkpoint.ts';
import { entryLeafHash, parseEntry, type LedgerEntry } from './entry.ts';
import type { InclusionProof } from './log.ts';
import { verifyInclusion } from './merkle/verify.ts';

/**
 * The JSON files `msec ledger proof` writes and `msec ledger verify` checks:
 *  - entry.json:      { index, kind, dataHash (hex SHA-256), timestamp (ms) } — the leaf input is
 *                     entryLeafData() of it;
 *  - proof.json:      { format: "msec.ledger.inclusion/v1", index, treeSize, hashes: [base64…] };
 *  - checkpoint.json: { origin, size, rootHash (base64), note (the signed C2SP note), anchor? }
 *                     where anchor = { chainId, contract, txHash, blockNumber } when the head is on chain.
 */
export const PROOF_FORMAT = 'msec.ledger.inclusion/v1';

export interface AnchorRef {
  chainId: number;
  contract: string;
  txHash: string;
  blockNumber: number;
}

export interface ProofJson {
  format: typeof PROOF_FORMAT;
  index: number;
  treeSize: number;
  hashes: string[];
}

export type CheckpointFile = CheckpointJson & { anchor?: AnchorRef };

export function proofToJson(p: InclusionProof): ProofJson {
  return {
    format: PROOF_FORMAT,
    index: p.index,
    treeSize: p.treeSize,
    hashes: p.hashes.map((h) => h.toString('base64')),
  };
}

function bad(message: string): MsecError {
  return new MsecError('LEDGER_PROOF_INVALID', message);
}

export function parseProof(input: unknown): InclusionProof {
  const p = input as Partial<ProofJson> | null;
  if (typeof p !== 'object' || p === null || p.format !== PROOF_FORMAT)
    throw bad(`proof is not a ${PROOF_FORMAT} document`);
  const sizes = [p.index, p.treeSize];
  if (!sizes.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0))
    throw bad('proof index and treeSize must be non-negative integers');
  if (!Array.isArray(p.hashes) || p.hashes.length > 64) throw bad('proof hashes must be a list of at most 64');
  const hashes = p.hashes.map((h: unknown) => {
    if (typeof h !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(h)) throw bad('proof hash is not base64 of 32 bytes');
    return Buffer.from(h, 'base64');
  });
  return { index: p.index as number, treeSize: p.treeSize as number, hashes };
}

export function parseAnchorRef(input: unknown): AnchorRef | undefined {
  const a = (input as { anchor?: Partial<AnchorRef> } | null)?.anchor;
  if (a === undefined) return undefined;
  if (
    typeof a !== 'object' ||
    a === null ||
    typeof a.contract !== 'string' ||
    typeof a.txHash !== 'string' ||
    !Number.isSafeInteger(a.chainId) ||
    !Number.isSafeInteger(a.blockNumber)
  ) {
    throw new MsecError(
      'CHECKPOINT_MALFORMED',
      'checkpoint anchor must hold chainId, contract, txHash and blockNumber',
    );
  }
  return a as AnchorRef;
}

export function checkpointFile(c: SignedCheckpoint, anchor?: AnchorRef): CheckpointFile {
  return { ...checkpointToJson(c), ...(anchor ? { anchor } : {}) };
}

/** Checks entry, proof and signed checkpoint together; returns what they prove. */
export function verifyProofBundle(
  files: { entry: unknown; proof: unknown; checkpoint: unknown },
  publicKey: KeyObject,
): { entry: LedgerEntry; checkpoint: SignedCheckpoint } {
  const entry = parseEntry(files.entry);
  const proof = parseProof(files.proof);
  const checkpoint = verifyCheckpoint(checkpointNoteFrom(files.checkpoint), publicKey);
  if (proof.index !== entry.index) throw bad(`proof is for entry ${proof.index}, not ${entry.index}`);
  if (proof.treeSize !== checkpoint.size)
    throw bad(`proof is for tree size ${proof.treeSize}, the checkpoint has ${checkpoint.size}`);
  verifyInclusion(entry.index, checkpoint.size, entryLeafHash(entry), proof.hashes, checkpoint.root);
  return { entry, checkpoint };
}
