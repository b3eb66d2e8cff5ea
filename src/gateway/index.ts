// The gateway module's public face: the log agent and stealth hardening.
export { startAgent, type AgentOptions, type AgentInput, type RunningAgent } from './agent/agent.ts';
export { AgentHealth } from './agent/health.ts';
export { SPOOL_FULL_POLICIES, type SpoolFullPolicy } from './agent/spool.ts';
export { buildRuleset, STEALTH_TABLE, DEFAULT_KNOCK_PORT, type RulesetOptions } from './stealth/ruleset.ts';
export { writeHardening, type HardenOptions } from './stealth/harden.ts';
export { encodeKnock, newKnock, parseKnock, KNOCK_SIZE, KNOCK_VERSION, type Knock } from './stealth/knock-packet.ts';
export { judgeKnock, type KnockVerdict } from './stealth/knock-verify.ts';
export { startKnockd, type KnockdOptions } from './stealth/knockd.ts';
export { readKnockKeys, newKnockKeyLine } from './stealth/keys.ts';
export { runAudit, formatAudit } from './stealth/audit.ts';
