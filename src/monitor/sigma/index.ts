/**
 * The Sigma engine's one face (CONTRACTS.md section 2): the rest of the monitor imports only this.
 */
export { parseSigmaRules } from './parse.ts';
export { loadRulePack, RULE_PACK_DIR } from './pack.ts';
export { createSigmaEngine, DEFAULT_MAX_GROUPS_PER_CORRELATION } from './engine.ts';
export type {
  CorrelationCondition,
  CorrelationType,
  SigmaCorrelation,
  SigmaEngine,
  SigmaEngineOptions,
  SigmaEngineStats,
  SigmaEvent,
  SigmaLevel,
  SigmaLogsource,
  SigmaMatch,
  SigmaRule,
} from './types.ts';
