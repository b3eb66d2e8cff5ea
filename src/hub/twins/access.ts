import type { ResourceRef, Subject } from '../../iam/index.ts';
import type { AggregateSpec } from '../federation/agreements.ts';
import { nameMatches, twinId, type TwinPath } from './names.ts';

/** sensiNact access levels. */
export const ACCESS_LEVELS = ['DESCRIBE', 'READ', 'UPDATE', 'ACT'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Policy actions on twins, one per access level. */
export const TWIN_ACTIONS = {
  DESCRIBE: 'hub:twin:describe',
  READ: 'hub:twin:read',
  UPDATE: 'hub:twin:update',
  ACT: 'hub:twin:act',
} as const satisfies Record<AccessLevel, string>;

const LEVEL_OF_ACTION = new Map<string, AccessLevel>(
  Object.entries(TWIN_ACTIONS).map(([l, a]) => [a, l as AccessLevel]),
);

/** What an allow grant at a level lets one do: READ implies DESCRIBE; UPDATE and ACT imply READ. */
const ALLOWS: Record<AccessLevel, AccessLevel[]> = {
  DESCRIBE: ['DESCRIBE'],
  READ: ['DESCRIBE', 'READ'],
  UPDATE: ['DESCRIBE', 'READ', 'UPDATE'],
  ACT: ['DESCRIBE', 'READ', 'ACT'],
};
/** What a deny grant at a level forbids: the level and everything that needs it. */
const DENIES: Record<AccessLevel, AccessLevel[]> = {
  DESCRIBE: ['DESCRIBE', 'READ', 'UPDATE', 'ACT'],
  READ: ['READ', 'UPDATE', 'ACT'],
  UPDATE: ['UPDATE'],
  ACT: ['ACT'],
};

/**
 * An access rule (sensiNact tuple): who (a principal, a role within an org, or a whole org), on
 * which provider/service/resource patterns of the granting org's data, what level, allow or
 * deny, and a priority (highest wins; on a tie deny wins).
 */
export interface Grant {
  id: string;
  /** The organisation whose data the rule is about (the granting org). */
  org: string;
  principalId: string | null;
  role: string | null;
  granteeOrg: string | null;
  provider: string;
  service: string;
  resource: string;
  access: AccessLevel;
  effect: 'allow' | 'deny';
  priority: number;
  createdBy: string;
  createdAt: number;
  /** Past this instant (ms since epoch) the grant no longer applies; null or absent: no end. */
  expiresAt?: number | null;
  /** What the grantee receives under this grant (e.g. a market listing's terms); null or absent: the data as is. */
  terms?: GrantTerms | null;
}

/**
 * Delivery terms of a grant, the federation agreements' own: numeric values rounded to `decimals`,
 * or only window aggregates (`aggregate`) instead of single readings.
 */
export interface GrantTerms {
  decimals?: number;
  aggregate?: AggregateSpec;
}

/**
 * The resource ref of a twin resource for one action. The action rides along in the attributes
 * because the policy engine's `when` tests see the resource but not the action.
 */
export function twinRef(org: string, path: TwinPath, action: string): ResourceRef {
  return {
    type: 'twin',
    org,
    id: twinId(path),
    attributes: { provider: path.provider, service: path.service, resource: path.resource, action },
  };
}

function pathOf(r: ResourceRef): TwinPath | undefined {
  const a = r.attributes;
  if (!a || typeof a.provider !== 'string' || typeof a.service !== 'string' || typeof a.resource !== 'string')
    return undefined;
  return { provider: a.provider, service: a.service, resource: a.resource };
}

export function grantAppliesTo(g: Grant, s: Subject): boolean {
  if (g.principalId !== null && g.principalId !== s.id) return false;
  if (g.role !== null) {
    if (!(s.roles as string[]).includes(g.role)) return false;
    if ((g.granteeOrg ?? g.org) !== s.org) return false;
  } else if (g.granteeOrg !== null && g.granteeOrg !== s.org) return false;
  return g.principalId !== null || g.role !== null || g.granteeOrg !== null;
}

/** The grant-table verdict for one action on one twin resource, or undefined when no rule speaks. */
export function evaluateGrants(
  grants: readonly Grant[],
  s: Subject,
  action: string,
  r: ResourceRef,
): 'allow' | 'deny' | undefined {
  const level = LEVEL_OF_ACTION.get(action);
  const path = pathOf(r);
  if (!level || !path || r.type !== 'twin' || r.org === undefined) return undefined;
  let best: Grant | undefined;
  for (const g of grants) {
    if (g.org !== r.org) continue;
    const covers = g.effect === 'allow' ? ALLOWS[g.access].includes(level) : DENIES[g.access].includes(level);
    if (!covers || !grantAppliesTo(g, s)) continue;
    if (
      !nameMatches(g.provider, path.provider) ||
      !nameMatches(g.service, path.service) ||
      !nameMatches(g.resource, path.resource)
    )
      continue;
    if (!best || g.priority > best.priority || (g.priority === best.priority && g.effect === 'deny')) best = g;
  }
  return best?.effect;
}

/**
 * The terms under which `s` reads a twin resource, or undefined when it reads the data as is:
 * members of the owning organisation read everything they may; anyone else reading through
 * grants gets the terms of those grants, unless one of them carries none (the least restrictive
 * grant held wins: a buyer of the raw stream and of a rounded one gets the raw one).
 */
export function readTerms(grants: readonly Grant[], s: Subject, r: ResourceRef): GrantTerms | undefined {
  const path = pathOf(r);
  if (!path || r.type !== 'twin' || r.org === undefined || r.org === s.org) return undefined;
  let found: GrantTerms | undefined;
  for (const g of grants) {
    if (g.org !== r.org || g.effect !== 'allow' || !ALLOWS[g.access].includes('READ') || !grantAppliesTo(g, s))
      continue;
    if (
      !nameMatches(g.provider, path.provider) ||
      !nameMatches(g.service, path.service) ||
      !nameMatches(g.resource, path.resource)
    )
      continue;
    if (!g.terms) return undefined;
    // Of several restricted grants, the one that gives most: raw-but-rounded beats aggregates, more decimals beat fewer.
    if (!found || moreGenerous(g.terms, found)) found = g.terms;
  }
  return found;
}

function moreGenerous(a: GrantTerms, b: GrantTerms): boolean {
  if (!a.aggregate !== !b.aggregate) return !a.aggregate;
  return (a.decimals ?? Infinity) > (b.decimals ?? Infinity);
}
