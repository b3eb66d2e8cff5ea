import type { PolicyStatement } from '../../iam/index.ts';
import { evaluateGrants, TWIN_ACTIONS } from './access.ts';
import type { GrantStore } from './grant-store.ts';

/** Route-level action of listing endpoints: each item is then checked with DESCRIBE or READ. */
export const BROWSE_ACTION = 'hub:twin:browse';

/**
 * The hub's statements for the one policy engine. Members of an organisation see its twins;
 * everyone else (and consumers) go through the grant table, evaluated inside the engine.
 * A deny grant binds other organisations only, so an org can never lock itself out.
 */
export function twinPolicy(grants: GrantStore): PolicyStatement[] {
  const twinActions = Object.values(TWIN_ACTIONS);
  return [
    {
      id: 'hub-twin-browse',
      effect: 'allow',
      roles: '*',
      actions: [BROWSE_ACTION],
      scope: 'any',
      description: 'anyone authenticated may list; items are filtered per resource',
    },
    {
      id: 'hub-twin-members-read',
      effect: 'allow',
      roles: ['operator', 'analyst', 'provider'],
      actions: [TWIN_ACTIONS.DESCRIBE, TWIN_ACTIONS.READ],
      scope: 'own-org',
    },
    {
      id: 'hub-twin-operator-control',
      effect: 'allow',
      roles: ['operator'],
      actions: [TWIN_ACTIONS.UPDATE, TWIN_ACTIONS.ACT],
      scope: 'own-org',
    },
    {
      id: 'hub-twin-grant-allow',
      effect: 'allow',
      roles: '*',
      actions: twinActions,
      scope: 'any',
      when: (s, r) => evaluateGrants(grants.all(), s, actionOf(r), r) === 'allow',
      description: 'access rules (grants) of the data owner',
    },
    {
      id: 'hub-twin-grant-deny',
      effect: 'deny',
      roles: '*',
      actions: twinActions,
      scope: 'any',
      when: (s, r) => s.org !== r.org && evaluateGrants(grants.all(), s, actionOf(r), r) === 'deny',
    },
  ];
}

/**
 * The policy engine hands `when` the subject and resource but not the action, so twin
 * resource refs carry the action being decided (set by `twinRef`).
 */
function actionOf(r: { attributes?: Record<string, unknown> }): string {
  const a = r.attributes?.action;
  return typeof a === 'string' ? a : '';
}
