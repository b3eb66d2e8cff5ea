import type { ResourceRef, Subject } from '../../iam/index.ts';
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
