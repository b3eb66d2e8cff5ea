/** The monitor's alert view (GET /api/v1/monitor/alerts), as the console reads it. */
export interface AlertView {
  id: string;
  org: string;
  rule: { id: string; title: string; kind: string };
  level: string;
  severity: number;
  risk: number;
  mitre: { technique: string | null; tactic: string | null; tacticName: string | null; techniques: string[] };
  source: string | null;
  destination: string | null;
  gateway: string | null;
  count: number;
  firstSeen: number;
  lastSeen: number;
  status: 'open' | 'acknowledged' | 'escalated' | 'closed';
  assignee: string | null;
  closeReason: string | null;
  updatedAt: number;
  detail: { signatureId?: number; category?: string | null; [k: string]: unknown };
}

export interface TopItem {
  key: string;
  alerts: number;
  events: number;
  /** A rule's title, for a top-N of rules. */
  label?: string;
}

export const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'] as const;
/** The monitor's severity rank of each level (1 informational .. 5 critical). */
export const SEVERITY_OF: Record<string, number> = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 };

/** Inbox filter, as the monitor's alert API takes it. */
export interface AlertFilter {
  status: string;
  minSeverity: string;
  rule: string;
  src: string;
  org: string;
  technique: string;
  range: string;
}

export const RANGES: Array<[string, string, number]> = [
  ['1h', 'Last hour', 3_600_000],
  ['24h', 'Last 24 hours', 86_400_000],
  ['7d', 'Last 7 days', 7 * 86_400_000],
  ['all', 'All time', 0],
];

/** Query parameters of a filter (empty fields left out); `from` is fixed when the filter is applied. */
export function filterParams(f: AlertFilter, now: number): Record<string, string | number> {
  const p: Record<string, string | number> = {};
  if (f.status) p.status = f.status;
  if (f.minSeverity) p.minSeverity = Number(f.minSeverity);
  if (f.rule.trim()) p.rule = f.rule.trim();
  if (f.src.trim()) p.src = f.src.trim();
  if (f.org.trim()) p.org = f.org.trim();
  if (f.technique.trim()) p.technique = f.technique.trim().toUpperCase();
  const range = RANGES.find((r) => r[0] === f.range);
  if (range && range[2] > 0) p.from = now - range[2];
  return p;
}

export function query(p: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Whether a pushed alert belongs in a list with this filter (the fields the browser can judge). */
export function matchesFilter(a: AlertView, p: Record<string, string | number>): boolean {
  if (p.status && !String(p.status).split(',').includes(a.status)) return false;
  if (p.minSeverity && a.severity < Number(p.minSeverity)) return false;
  if (p.rule && a.rule.id !== p.rule) return false;
  if (p.src && a.source !== p.src) return false;
  if (p.org && a.org !== p.org) return false;
  if (p.technique && a.mitre.technique !== p.technique) return false;
  if (p.from && a.lastSeen < Number(p.from)) return false;
  return true;
}
