import type { PolicyStatement } from '../iam/index.ts';

const READ = [
  'monitor:event:read',
  'monitor:alert:read',
  'monitor:rule:read',
  'monitor:suppression:read',
  'monitor:webhook:read',
];

/**
 * Who may do what in the monitor. Events, alerts, suppressions and webhooks belong to a city
 * (organisation): its operators and analysts see only their own; the platform organisation's
 * operators and analysts see every city. Detection rules are platform-wide content. Admins are
 * covered by the default statements (their organisation; platform admins everything).
 */
export const MONITOR_POLICY: PolicyStatement[] = [
  {
    id: 'monitor-ingest',
    effect: 'allow',
    roles: '*',
    actions: ['monitor:event:ingest'],
    scope: 'own-org',
    when: (s) => s.kind === 'service' || s.roles.includes('operator'),
    description: "gateways (service principals) and operators ship their city's events",
  },
  {
    id: 'monitor-city-read',
    effect: 'allow',
    roles: ['operator', 'analyst'],
    actions: READ,
    scope: 'own-org',
    description: "a city's security staff see that city's events and alerts",
  },
  {
    id: 'monitor-city-triage',
    effect: 'allow',
    roles: ['operator'],
    actions: ['monitor:alert:update', 'monitor:suppression:write', 'monitor:webhook:write'],
    scope: 'own-org',
    description: "a city's operators triage and suppress its alerts and manage its notifications",
  },
  {
    id: 'monitor-platform-read',
    effect: 'allow',
    roles: ['operator', 'analyst'],
    actions: [...READ, 'monitor:stats:read'],
    scope: 'platform',
    description: "the platform's security staff see every city",
  },
  {
    id: 'monitor-platform-triage',
    effect: 'allow',
    roles: ['operator'],
    actions: ['monitor:alert:update', 'monitor:suppression:write', 'monitor:webhook:write', 'monitor:rule:write'],
    scope: 'platform',
    description: "the platform's operators triage everywhere and manage the detection rules",
  },
];
