import { PLATFORM_ORG } from './roles.ts';
import type { Decision, PolicyStatement, ResourceRef, Scope, Subject } from '../core/platform/access.ts';

export type { ResourceRef, Scope, PolicyStatement, Decision } from '../core/platform/access.ts';

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

/** One statement's part in a decision, for the dry run. */
export interface MatchedStatement {
  id: string;
  effect: 'allow' | 'deny';
  /** `module`: declared by a module at start; `central`: managed through the policy API. */
  source: 'module' | 'central';
  description?: string | undefined;
}

/** A decision and every statement that matched, in evaluation order. */
export interface Explanation extends Decision {
  matched: MatchedStatement[];
}

/**
 * The one policy engine every route goes through. Deny by default; an explicit deny wins over
 * any allow. Modules add their statements at start; central policies (stored, managed through the
 * API) are a second list of statements of the same kind, replaced as a whole when they change.
 */
export class PolicyEngine {
  private readonly statements: PolicyStatement[] = [];
  private central: PolicyStatement[] = [];
  /** Actions routes and statements declare: their first segments are the valid prefixes. */
  private readonly actions = new Set<string>();

  constructor(statements: PolicyStatement[] = DEFAULT_STATEMENTS) {
    this.add(statements);
  }

  add(statements: PolicyStatement[]): void {
    for (const st of statements) {
      if (this.statements.some((s) => s.id === st.id)) throw new Error(`duplicate policy statement ${st.id}`);
      this.statements.push(st);
      for (const a of st.actions) this.declareAction(a);
    }
  }

  /** Records an action a route performs (for validating central policies). */
  declareAction(action: string): void {
    this.actions.add(action);
  }

  /** Module prefixes (`iam`, `vault`, …) of every declared action. */
  actionPrefixes(): Set<string> {
    return new Set([...this.actions].map((a) => a.split(':')[0]!).filter((p) => p !== '*'));
  }

  list(): readonly PolicyStatement[] {
    return this.statements;
  }

  centralStatements(): readonly PolicyStatement[] {
    return this.central;
  }

  /** Replaces the central statements (atomically: a decision sees the old list or the new one). */
  setCentral(statements: PolicyStatement[]): void {
    this.central = [...statements];
  }

  decide(subject: Subject, action: string, resource: ResourceRef): Decision {
    return evaluate([this.statements, this.central], subject, action, resource);
  }

  /** The decision with the statements that matched: what `msec policy test` shows. */
  explain(
    subject: Subject,
    action: string,
    resource: ResourceRef,
    central: readonly PolicyStatement[] = this.central,
  ): Explanation {
    const matched: MatchedStatement[] = [];
    const decision = evaluate([this.statements, central], subject, action, resource, (st, list) =>
      matched.push({
        id: st.id,
        effect: st.effect,
        source: list === 0 ? 'module' : 'central',
        description: st.description,
      }),
    );
    return { ...decision, matched };
  }
}

function evaluate(
  lists: ReadonlyArray<readonly PolicyStatement[]>,
  subject: Subject,
  action: string,
  resource: ResourceRef,
  onMatch?: (st: PolicyStatement, list: number) => void,
): Decision {
  // A scoped (OAuth) token narrows what its principal's roles allow; it never widens it.
  if (subject.scopes && !subject.scopes.some((p) => actionMatches(p, action)))
    return { allow: false, reason: `token scope does not cover ${action}` };
  let allowedBy: PolicyStatement | undefined;
  let deniedBy: PolicyStatement | undefined;
  for (let i = 0; i < lists.length; i++) {
    for (const st of lists[i]!) {
      if (st.roles !== '*' && !st.roles.some((r) => subject.roles.includes(r))) continue;
      if (!st.actions.some((p) => actionMatches(p, action))) continue;
      if (!inScope(st.scope, subject, resource)) continue;
      if (st.when && !st.when(subject, resource, action)) continue;
      onMatch?.(st, i);
      if (st.effect === 'deny') {
        deniedBy ??= st;
        // Without an explanation to collect, the first deny settles it.
        if (!onMatch) break;
      } else allowedBy ??= st;
    }
    if (deniedBy && !onMatch) break;
  }
  if (deniedBy) return { allow: false, statement: deniedBy.id, reason: `denied by ${deniedBy.id}` };
  return allowedBy
    ? { allow: true, statement: allowedBy.id, reason: `allowed by ${allowedBy.id}` }
    : { allow: false, reason: `no statement allows ${action} on ${resource.type}` };
}

export const DEFAULT_STATEMENTS: PolicyStatement[] = [
  {
    id: 'platform-admin',
    effect: 'allow',
    roles: ['admin'],
    actions: ['*'],
    scope: 'platform',
    description: 'administrators of the platform organisation administer everything',
  },
  {
    id: 'org-admin',
    effect: 'allow',
    roles: ['admin'],
    actions: ['*'],
    scope: 'own-org',
    description: 'organisation administrators administer their organisation',
  },
  {
    id: 'org-admin-no-platform-ops',
    effect: 'deny',
    roles: ['admin'],
    actions: ['iam:org:create', 'platform:*'],
    scope: 'own-org',
    // Reading metrics is not operating: an org admin may do what an org operator may (role hierarchy).
    when: (s, _r, action) => s.org !== PLATFORM_ORG && action !== 'platform:metrics:read',
    description: 'only platform admins create organisations or operate the platform',
  },
  {
    id: 'self-service',
    effect: 'allow',
    roles: '*',
    actions: ['iam:self:*'],
    scope: 'self',
    description: 'everyone reads their own identity and manages their own session',
  },
  {
    id: 'operator-observe',
    effect: 'allow',
    roles: ['operator'],
    actions: ['platform:metrics:read', 'iam:audit:read', 'iam:principal:read', 'iam:org:read'],
    scope: 'own-org',
  },
  {
    id: 'platform-operator-metrics',
    effect: 'allow',
    roles: ['operator'],
    actions: ['platform:metrics:read'],
    scope: 'platform',
  },
  {
    id: 'analyst-read',
    effect: 'allow',
    roles: ['analyst'],
    actions: ['iam:audit:read', 'iam:org:read'],
    scope: 'own-org',
  },
  { id: 'members-read-org', effect: 'allow', roles: '*', actions: ['iam:org:read'], scope: 'own-org' },
];
