import type { ComponentTag, ElementKind, Classification, Likelihood, Severity, StrideLetter } from './vocabulary.ts';

/**
 * One knowledge-base entry in the Security Analysis Tool's shape (name, type, category, description,
 * source, inherit, related), so the base stays a graph one can browse; the optional fields carry what
 * each category adds.
 */
export interface KbEntry {
  id: string;
  name: string;
  type: 'class' | 'instance';
  category: 'abstract' | 'solution' | 'problem' | 'bridge';
  description: string;
  source: string;
  /** Ids of the classes this entry specialises. */
  inherit: string[];
  /** Ids of other entries in the base this one links to. */
  related: string[];
  reference?: string;
  // problems (CAPEC, CWE)
  stride?: StrideLetter[];
  likelihood?: Likelihood;
  severity?: Severity;
  mitigations?: string[];
  countermeasures?: string[];
  relatedCwe?: string[];
  relatedCapec?: string[];
  match?: MatchClause[];
  // STRIDE categories
  elements?: ElementKind[];
  property?: string;
  // countermeasures
  msec?: { module: string; capability: string };
  // protocols
  traits?: string[];
}

/** Where a problem applies: every given condition must hold (absent ones are ignored). */
export interface MatchClause {
  on: ElementKind[];
  proto?: string[];
  data?: Classification[];
  cross?: boolean;
  tags?: ComponentTag[];
}
