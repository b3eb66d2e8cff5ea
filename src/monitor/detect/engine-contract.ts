/**
 * The Sigma engine as the monitor uses it: CONTRACTS.md section 2. The engine itself lives in
 * ./sigma (another stream); the pipeline depends only on this shape so it can be tested alone.
 */
export interface SigmaEvent {
  id: string;
  timeMs: number;
  logsource: { product?: string; category?: string; service?: string };
  fields: Record<string, unknown>;
}

export interface SigmaMatch {
  rule: {
    id: string;
    title: string;
    level: 'informational' | 'low' | 'medium' | 'high' | 'critical';
    tags: string[];
    description?: string;
    falsepositives?: string[];
  };
  kind: 'detection' | 'correlation';
  eventIds: string[];
  group?: Record<string, string>;
  count?: number;
}

export interface DetectionEngine {
  load(rules: never[]): void;
  evaluate(ev: SigmaEvent): SigmaMatch[];
  stats(): { rules: number; correlations: number; groups: number; capped: number };
}
