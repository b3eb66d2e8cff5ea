/** The gateway module's public face: IDS configuration, the IoT ruleset, and the demo EVE source. */
export { generateIdsConfig, type IdsConfigRequest, type IdsConfigResult } from './ids/generate.ts';
export { IOT_RULES, MSEC_SID_RANGE, RULE_FAMILIES, renderRule, renderRuleset, ruleBySid, type IdsMode, type IotRule, type RuleFamily } from './ids/rules/index.ts';
export { findSuricata, MIN_SURICATA, runSuricata, testConfig, type SuricataInstall } from './ids/suricata.ts';
export { parseCidr, parseHomeNet, DEFAULT_HOME_NET } from './ids/validate.ts';
export { DEMO_CITIES, type DemoCity } from './demo/cities.ts';
export { generateDemoEve, seededRng, type DemoEveOptions } from './demo/eve.ts';
export { startDemoGateways, startEveReplay, type EveReplay, type EveReplayOptions } from './demo/replay.ts';
export { GATEWAY_ERROR_CODES, type GatewayErrorCode } from './errors.ts';
