export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Severity 1 (informational) .. 5 (critical): the level's rank, for sorting and thresholds. */
export function severityOf(level: Level): number {
  return LEVELS.indexOf(level) + 1;
}

/** Suricata's alert.severity (1 highest .. 4) as a Sigma level. */
export function levelOfSuricataSeverity(severity: number | null): Level {
  if (severity === 1) return 'high';
  if (severity === 2) return 'medium';
  if (severity === 3) return 'low';
  return 'informational';
}

const BASE: Record<Level, number> = { informational: 5, low: 20, medium: 45, high: 70, critical: 85 };

/** Tactics late in the kill chain: the attacker is already acting on the target. */
const IMPACT_TACTICS = new Set(['TA0040', 'TA0010', 'TA0105', 'TA0106', 'TA0107']);

export interface RiskInput {
  level: Level;
  count: number;
  kind: 'detection' | 'correlation' | 'ids';
  tactics: readonly string[];
  /** Distinct organisations the alert's events span (a campaign across cities). */
  orgs?: number;
}

/**
 * Risk score 0-100 (documented in docs/monitor.md):
 *   base(level)                      informational 5, low 20, medium 45, high 70, critical 85
 * + volume  min(10, round(3 * log10(count)))   a hundred repeats add 6, a million 10 (capped)
 * + 5 for a correlation (several events agree)
 * + 5 when a tactic is impact/exfiltration/ICS inhibit-impair-impact (damage is being done)
 * + 5 when the events span more than one organisation
 * clamped to 100.
 */
export function riskScore(r: RiskInput): number {
  const volume = Math.min(10, Math.round(3 * Math.log10(Math.max(1, r.count))));
  const corr = r.kind === 'correlation' ? 5 : 0;
  const impact = r.tactics.some((t) => IMPACT_TACTICS.has(t)) ? 5 : 0;
  const spread = (r.orgs ?? 1) > 1 ? 5 : 0;
  return Math.max(0, Math.min(100, BASE[r.level] + volume + corr + impact + spread));
}
