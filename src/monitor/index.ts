export { monitorModule, retentionFromEnv } from './module.ts';
export { MONITOR_POLICY } from './policy.ts';
export { Monitor, type MonitorOptions } from './service.ts';
export { monitorMigrations, type MonitorTables } from './store/schema.ts';
export { normaliseLine } from './normalise/line.ts';
export type { NormalisedEvent, IngestType } from './normalise/types.ts';
export type { IngestItem, IngestOutcome } from './detect/pipeline.ts';
export { SIGNATURE_HEADER, signBody, verifySignature } from './notify/payload.ts';
export { testRules, type RuleTestResult } from './detect/rule-test.ts';
