export * from './merkle/hash.ts';
export { rootOf, inclusionProof, consistencyProof } from './merkle/tree.ts';
export {
  verifyInclusion,
  verifyConsistency,
  rootFromInclusionProof,
  rootFromConsistencyProof,
} from './merkle/verify.ts';
export { isValidSubtree, verifySubtreeInclusion, verifySubtreeConsistency } from './merkle/subtree.ts';
export * from './entry.ts';
export * from './checkpoint.ts';
export { ledgerMigrations, type LedgerTables } from './schema.ts';
export {
  TransparencyLog,
  DEFAULT_ORIGIN,
  type TransparencyLogOptions,
  type AppendResult,
  type InclusionProof,
} from './log.ts';
export * from './bundle.ts';
export { EvmAnchorClient, type EvmOptions, type AnchorReceipt, type Deployment } from './anchor/client.ts';
export { Anchorer, latestAnchor, type AnchorerOptions } from './anchor/anchorer.ts';
export { ledgerModule, LEDGER_LOG, type LedgerModuleOptions } from './module.ts';
export { READINGS_BATCH_KIND, verifyReadingInBatch, readingHash, type ReadingProof } from './readings/batcher.ts';
export type { LedgerModuleTables } from './readings/schema.ts';
export { LEDGER_ERROR_CODES, type LedgerErrorCode } from './errors.ts';
