/** A central policy as GET /api/v1/policies lists it (docs/iam.md "Central policies"). */
export interface Policy {
  id: string;
  effect: 'allow' | 'deny';
  description?: string;
  roles?: '*' | string[];
  principals?: string[];
  orgs?: string[];
  actions: string[];
  scope?: string;
  resource?: { types?: string[]; ids?: string[]; orgs?: string[] };
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface PolicyChange {
  seq: number;
  policyId: string;
  version: number;
  change: 'created' | 'updated' | 'removed';
  actorName: string | null;
  at: number;
}

/** The dry run's answer: the decision and every statement that matched, in evaluation order. */
export interface DryRun {
  allow: boolean;
  reason: string;
  statement?: string;
  matched: Array<{ id: string; effect: 'allow' | 'deny'; source: 'module' | 'central'; description?: string }>;
  principal: { id: string; name: string; org: string; roles: string[] };
}

/** A comma- or space-separated field as a list, empty entries dropped. */
export const listOf = (s: string): string[] =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
