/**
 * The Sigma engine's public types (CONTRACTS.md section 2). Only index.ts re-exports them.
 */

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface SigmaLogsource {
  product?: string;
  category?: string;
  service?: string;
}

/** What the engine evaluates: one normalised (ECS-shaped) event. */
export interface SigmaEvent {
  id: string;
  timeMs: number;
  logsource: SigmaLogsource;
  /** The ECS-shaped document (nested objects); rule field names are dotted ECS paths. */
  fields: Record<string, unknown>;
}

export interface SigmaMatch {
  rule: {
    id: string;
    title: string;
    level: SigmaLevel;
    tags: string[];
    description?: string;
    falsepositives?: string[];
  };
  kind: 'detection' | 'correlation';
  /** The events behind the match (for correlations: those in the window, capped). */
  eventIds: string[];
  /** Correlation group-by values. */
  group?: Record<string, string>;
  /** Correlation: the counted value (events, distinct values or distinct rules). */
  count?: number;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  /** value_count: the field (or fields, linked by AND) whose distinct values are counted. */
  field?: string[];
}

export interface SigmaCorrelation {
  type: CorrelationType;
  /** Referenced rules, by id or name, in the order given (temporal_ordered relies on it). */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition?: CorrelationCondition;
  /** alias -> (rule name or id -> field name in events of that rule). */
  aliases: Record<string, Record<string, string>>;
  /** Whether the referenced rules also emit their own matches (Sigma default: false). */
  generate: boolean;
}

/** One parsed, validated Sigma document (a detection rule or a correlation rule). */
export interface SigmaRule {
  kind: 'detection' | 'correlation';
  id: string;
  /** Sigma `name`: a human-readable handle correlations may refer to instead of the id. */
  name?: string;
  title: string;
  status?: string;
  description?: string;
  references?: string[];
  author?: string;
  date?: string;
  level: SigmaLevel;
  tags: string[];
  falsepositives?: string[];
  fields?: string[];
  logsource: SigmaLogsource;
  /** Detection rules: the raw `detection` section (compiled by the engine). */
  detection?: Record<string, unknown>;
  /** Correlation rules: the normalised `correlation` section. */
  correlation?: SigmaCorrelation;
  /** Where the rule came from: file name and the 1-based line where its document starts. */
  file: string;
  line: number;
  /** The whole YAML document as parsed (for storage and display). */
  raw: Record<string, unknown>;
}

export interface SigmaEngineStats {
  rules: number;
  correlations: number;
  groups: number;
  capped: number;
}

export interface SigmaEngine {
  /** Replace the whole set (hot reload); keeps the correlation state of unchanged correlations. */
  load(rules: SigmaRule[]): void;
  /** Streaming: call in event-time order per source. */
  /** The matches the event completed (a shared empty list when none: most events match nothing). */
  evaluate(ev: SigmaEvent): readonly SigmaMatch[];
  stats(): SigmaEngineStats;
}

export interface SigmaEngineOptions {
  /** Group-by keys kept per correlation; beyond it the least recently seen group is evicted. */
  maxGroupsPerCorrelation?: number;
}
