import { PLATFORM_ORG, type Role } from './roles.ts';
import type { Subject } from './subject.ts';

/** What a request touches: a typed resource, its organisation and owner where known. */
export interface ResourceRef {
  type: string;
  id?: string | undefined;
  org?: string | undefined;
  owner?: string | undefined;
  attributes?: Record<string, unknown>;
}

/**
 * `any`: every resource; `own-org`: resources of the subject's organisation;
 * `self`: the subject itself or what it owns; `platform`: only subjects of the platform org.
 */
export type Scope = 'any' | 'own-org' | 'self' | 'platform';

export interface PolicyStatement {
  id: string;
  effect: 'allow' | 'deny';
  roles: Role[] | '*';
  /** Action patterns `module:resource:verb`; `*` matches one segment, a trailing `*` the rest. */
  actions: string[];
  scope: Scope;
  /** Optional attribute test on the resource (e.g. a sharing flag). */
  when?: (subject: Subject, resource: ResourceRef, action: string) => boolean;
  description?: string;
}

export interface Decision {
  allow: boolean;
  statement?: string;
  reason: string;
}

export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split(':');
  const a = action.split(':');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*' && i === p.length - 1) return a.length >= p.length;
    if (i >= a.length) return false;
    if (p[i] !== '*' && p[i] !== a[i]) return false;
  }
  return p.length === a.length;
}

function inScope(scope: Scope, s: Subject, r: ResourceRef): boolean {
  switch (scope) {
    case 'any':
      return true;
    case 'platform':
      return s.org === PLATFORM_ORG;
    case 'own-org':
      return r.org !== undefined && r.org === s.org;
    case 'self':
      return (r.type === 'principal' && r.id === s.id) || r.owner === s.id;
  }
}

/**
 * The one policy engine every route goes through. Deny by default; an explicit deny wins over
 * any allow. Modules add their statements at start.
 */
export class PolicyEngine {
  private readonly statements: PolicyStatement[] = [];

  constructor(statements: PolicyStatement[] = DEFAULT_STATEMENTS) {
    this.add(statements);
  }

  add(statements: PolicyStatement[]): void {
    for (const st of statements) {
      if (this.statements.some((s) => s.id === st.id)) throw new Error(`duplicate policy statement ${st.id}`);
      this.statements.push(st);
    }
  }

  list(): readonly PolicyStatement[] {
    return this.statements;
  }

  decide(subject: Subject, action: string, resource: ResourceRef): Decision {
    let allowedBy: PolicyStatement | undefined;
    for (const st of this.statements) {
      if (st.roles !== '*' && !st.roles.some((r) => subject.roles.includes(r))) continue;
      if (!st.actions.some((p) => actionMatches(p, action))) continue;
      if (!inScope(st.scope, subject, resource)) continue;
      if (st.when && !st.when(subject, resource, action)) continue;
      if (st.effect === 'deny') return { allow: false, statement: st.id, reason: `denied by ${st.id}` };
      allowedBy ??= st;
    }
    return allowedBy
      ? { allow: true, statement: allowedBy.id, reason: `allowed by ${allowedBy.id}` }
      : { allow: false, reason: `no statement allows ${action} on ${resource.type}` };
  }
}

export const DEFAULT_STATEMENTS: PolicyStatement[] = [
  { id: 'platform-admin', effect: 'allow', roles: ['admin'], actions: ['*'], scope: 'platform', description: 'administrators of the platform organisation administer everything' },
  { id: 'org-admin', effect: 'allow', roles: ['admin'], actions: ['*'], scope: 'own-org', description: 'organisation administrators administer their organisation' },
  {
    id: 'org-admin-no-platform-ops', effect: 'deny', roles: ['admin'], actions: ['iam:org:create', 'platform:*'], scope: 'own-org',
    // Reading metrics is not operating: an org admin may do what an org operator may (role hierarchy).
    when: (s, _r, action) => s.org !== PLATFORM_ORG && action !== 'platform:metrics:read',
    description: 'only platform admins create organisations or operate the platform',
  },
  { id: 'self-service', effect: 'allow', roles: '*', actions: ['iam:self:*'], scope: 'self', description: 'everyone reads their own identity and manages their own session' },
  { id: 'operator-observe', effect: 'allow', roles: ['operator'], actions: ['platform:metrics:read', 'iam:audit:read', 'iam:principal:read', 'iam:org:read'], scope: 'own-org' },
  { id: 'platform-operator-metrics', effect: 'allow', roles: ['operator'], actions: ['platform:metrics:read'], scope: 'platform' },
  { id: 'analyst-read', effect: 'allow', roles: ['analyst'], actions: ['iam:audit:read', 'iam:org:read'], scope: 'own-org' },
  { id: 'members-read-org', effect: 'allow', roles: '*', actions: ['iam:org:read'], scope: 'own-org' },
];
