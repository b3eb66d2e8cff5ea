import { HOST_RULES } from './hosts.ts';
import { ICS_RULES } from './ics.ts';
import type { IotRule } from './types.ts';

export * from './types.ts';
export { contentValue, quoteMsg, renderRule, renderRuleset, ruleAction } from './render.ts';

/** The shipped IoT ruleset, ordered by sid. */
export const IOT_RULES: readonly IotRule[] = [...HOST_RULES, ...ICS_RULES].sort((a, b) => a.sid - b.sid);

export function ruleBySid(sid: number): IotRule | undefined {
  return IOT_RULES.find((r) => r.sid === sid);
}
