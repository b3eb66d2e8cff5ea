/**
 * The IoT ruleset as data: one source of truth that renders to Suricata rule text, feeds the
 * docs table, the demo EVE generator and the tests (which check every MITRE id and every sid).
 */

export const RULE_FAMILIES = ['bruteforce', 'mirai', 'mqtt', 'modbus', 'dnp3', 'coap', 'scan', 'flood'] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

/** Our sids live in the ET "local use" block (1000000-1999999), in a range of our own. */
export const MSEC_SID_RANGE = { first: 1_711_000, last: 1_711_999 } as const;

/** `keyword` alone or `keyword:value`, in rule order (content modifiers follow their content). */
export type RuleOption = readonly [keyword: string, value?: string];

export interface RuleHeader {
  proto: string;
  src: string;
  srcPorts: string;
  dst: string;
  dstPorts: string;
}

export interface IotRule {
  sid: number;
  rev: number;
  /** Stable machine name, rendered as `msec_rule` metadata. */
  name: string;
  family: RuleFamily;
  msg: string;
  classtype: string;
  priority: 1 | 2 | 3;
  /** ATT&CK (Enterprise or ICS) technique ids, rendered as `mitre_technique_id` metadata. */
  mitre: readonly string[];
  header: RuleHeader;
  options: readonly RuleOption[];
  /** In IPS mode this rule becomes `drop` (only single-packet decisions; counted rules stay alerts). */
  blocking: boolean;
  /** Why the rule exists and what it looks at (docs). */
  why: string;
}

export type IdsMode = 'ids' | 'ips';
