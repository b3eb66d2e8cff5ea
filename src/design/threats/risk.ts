import type { Classification, Likelihood, Severity } from '../kb/vocabulary.ts';

/**
 * OWASP Risk Rating Methodology: likelihood and impact are each scored 0–9 and banded
 * LOW (< 3), MEDIUM (3 to < 6), HIGH (≥ 6); the overall severity comes from the OWASP matrix.
 * OWASP's lowest band, "Note", is reported as low.
 */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type Band = 'LOW' | 'MEDIUM' | 'HIGH';

export interface Rating {
  likelihood: number;
  likelihoodBand: Band;
  impact: number;
  impactBand: Band;
  risk: RiskLevel;
}

/** Threat-agent and vulnerability factors, from CAPEC's likelihood of attack. */
const LIKELIHOOD_SCORE: Record<Likelihood, number> = { Low: 1, Medium: 4, High: 7 };
/** Technical impact, from the typical severity. */
const SEVERITY_SCORE: Record<Severity, number> = { 'Very Low': 1, Low: 2, Medium: 4, High: 6, 'Very High': 8 };
/** Business impact, from the most sensitive data at stake on the element. */
const DATA_SCORE: Record<Classification | 'none', number> = { sensitive: 8, personal: 7, public: 2, none: 1 };
/** Exposure: reachable over a flow that crosses a trust boundary, or not. */
const EXPOSURE_SCORE = { exposed: 7, internal: 2 };

export function band(score: number): Band {
  return score < 3 ? 'LOW' : score < 6 ? 'MEDIUM' : 'HIGH';
}

const MATRIX: Record<Band, Record<Band, RiskLevel>> = {
  // impact → likelihood → overall
  LOW: { LOW: 'low', MEDIUM: 'low', HIGH: 'medium' },
  MEDIUM: { LOW: 'low', MEDIUM: 'medium', HIGH: 'high' },
  HIGH: { LOW: 'medium', MEDIUM: 'high', HIGH: 'critical' },
};

export function overall(likelihood: Band, impact: Band): RiskLevel {
  return MATRIX[impact][likelihood];
}

export const worstData = (cls: Iterable<Classification>): Classification | 'none' => {
  const set = new Set(cls);
  return set.has('sensitive') ? 'sensitive' : set.has('personal') ? 'personal' : set.has('public') ? 'public' : 'none';
};

export function rate(input: {
  likelihood: Likelihood;
  severity: Severity;
  exposed: boolean;
  data: Classification | 'none';
}): Rating {
  const likelihood = (LIKELIHOOD_SCORE[input.likelihood] + EXPOSURE_SCORE[input.exposed ? 'exposed' : 'internal']) / 2;
  const impact = (SEVERITY_SCORE[input.severity] + DATA_SCORE[input.data]) / 2;
  const likelihoodBand = band(likelihood);
  const impactBand = band(impact);
  return { likelihood, likelihoodBand, impact, impactBand, risk: overall(likelihoodBand, impactBand) };
}

export const atLeast = (risk: RiskLevel, threshold: RiskLevel): boolean =>
  RISK_LEVELS.indexOf(risk) >= RISK_LEVELS.indexOf(threshold);
