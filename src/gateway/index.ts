/** The gateway module's public face: IDS configuration, the IoT ruleset, the demo EVE source, the log agent and stealth hardening. */
export { generateIdsConfig, type IdsConfigRequest, type IdsConfigResult } from './ids/generate.ts';
export {
  IOT_RULES,
  MSEC_SID_RANGE,
  RULE_FAMILIES,
  renderRule,
  renderRuleset,
  ruleBySid,
  type IdsMode,
  type IotRule,
  type RuleFamily,
} from './ids/rules/index.ts';
export { findSuricata, MIN_SURICATA, runSuricata, testConfig, type SuricataInstall } from './ids/suricata.ts';
export { parseCidr, parseHomeNet, DEFAULT_HOME_NET } from './ids/validate.ts';
export { DEMO_CITIES, type DemoCity } from './demo/cities.ts';
export { generateDemoEve, seededRng, type DemoEveOptions } from './demo/eve.ts';
export { startDemoGateways, startEveReplay, type EveReplay, type EveReplayOptions } from './demo/replay.ts';
export { GATEWAY_ERROR_CODES, type GatewayErrorCode } from './errors.ts';
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
export { gatewayModule } from './module.ts';
