/**
 * The words a threat model and the knowledge base share. The model's JSON Schema and the knowledge
 * base build both check against these lists, so a misspelt tag is an error, not a silent non-match.
 */
export const STRIDE_LETTERS = ['S', 'T', 'R', 'I', 'D', 'E'] as const;
export type StrideLetter = (typeof STRIDE_LETTERS)[number];

/** Data-flow-diagram element kinds (STRIDE per element). */
export const ELEMENT_KINDS = ['external', 'process', 'datastore', 'flow'] as const;
export type ElementKind = (typeof ELEMENT_KINDS)[number];

export const CLASSIFICATIONS = ['personal', 'sensitive', 'public'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** What a component is, as far as the knowledge base cares. */
export const COMPONENT_TAGS = [
  'device',
  'gateway',
  'camera',
  'vehicle',
  'broker',
  'api',
  'ui',
  'database',
  'identity',
  'logs',
  'ledger',
  'market',
  'monitor',
  'updater',
] as const;
export type ComponentTag = (typeof COMPONENT_TAGS)[number];

/** CAPEC's likelihood of attack and typical severity scales. */
export const LIKELIHOODS = ['Low', 'Medium', 'High'] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];
export const SEVERITIES = ['Very Low', 'Low', 'Medium', 'High', 'Very High'] as const;
export type Severity = (typeof SEVERITIES)[number];
