import { createHash } from 'node:crypto';
import { MsecError } from '../core/index.ts';
import { leafHash } from './merkle/hash.ts';

/** Well-known entry kinds; any other kind matching KIND_PATTERN is accepted too. */
export const LEDGER_KINDS = ['hub.readings-batch', 'vault.record', 'audit.head', 'market.settlement'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number] | (string & {});

/** Printable ASCII without spaces, so the leaf encoding below is unambiguous. */
const KIND_PATTERN = /^[\x21-\x7e]{1,128}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

export interface EntryInput {
  kind: LedgerKind;
  /** SHA-256 of the logged data: 32 bytes, or 64 lowercase hex characters. */
  dataHash: Uint8Array | string;
}

export interface LedgerEntry {
  index: number;
  kind: string;
  /** Lowercase hex SHA-256 of the logged data. */
  dataHash: string;
  /** Milliseconds since the epoch when the log accepted it. */
  timestamp: number;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Validates an entry at the edge and returns its kind and data hash in canonical form. */
export function normalizeEntry(input: unknown): { kind: string; dataHash: string } {
  const e = input as Partial<EntryInput> | null;
  if (typeof e !== 'object' || e === null) throw new MsecError('VALIDATION_FAILED', 'a ledger entry must be an object');
  if (typeof e.kind !== 'string' || !KIND_PATTERN.test(e.kind)) {
    throw new MsecError('VALIDATION_FAILED', 'entry kind must be 1-128 printable ASCII characters without spaces');
  }
  let hex: string | undefined;
  if (e.dataHash instanceof Uint8Array && e.dataHash.length === 32) hex = Buffer.from(e.dataHash).toString('hex');
  else if (typeof e.dataHash === 'string' && HEX_HASH.test(e.dataHash)) hex = e.dataHash;
  if (hex === undefined)
    throw new MsecError('VALIDATION_FAILED', 'entry dataHash must be a SHA-256 (32 bytes or 64 lowercase hex)');
  return { kind: e.kind, dataHash: hex };
}

/**
 * The bytes a leaf commits to (RFC 9162 leaf input). Line-based so anyone can recompute it:
 * "msec-ledger-entry/v1\n" kind "\n" hex(dataHash) "\n" decimal(timestamp) "\n". The index is not
 * part of it: the tree position already fixes it.
 */
export function entryLeafData(entry: Omit<LedgerEntry, 'index'>): Buffer {
  return Buffer.from(`msec-ledger-entry/v1\n${entry.kind}\n${entry.dataHash}\n${entry.timestamp}\n`, 'utf8');
}

export function entryLeafHash(entry: Omit<LedgerEntry, 'index'>): Buffer {
  return leafHash(entryLeafData(entry));
}

/** Strict parse of an entry from outside (the CLI's entry file). */
export function parseEntry(input: unknown): LedgerEntry {
  const { kind, dataHash } = normalizeEntry(input);
  const { index, timestamp } = input as { index?: unknown; timestamp?: unknown };
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new MsecError('VALIDATION_FAILED', 'entry index must be a non-negative integer');
  }
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new MsecError('VALIDATION_FAILED', 'entry timestamp must be a non-negative integer');
  }
  return { index, kind, dataHash, timestamp };
}
