import type { PolicyStatement } from '../../iam/index.ts';

/** Device-side hub actions. Admins get them through the platform's default statements. */
export const devicePolicy: PolicyStatement[] = [
  {
    id: 'hub-devices-operator',
    effect: 'allow',
    roles: ['operator'],
    actions: [
      'hub:device:read',
      'hub:device:enroll',
      'hub:device:attest',
      'hub:device:release',
      'hub:device:revoke',
      'hub:device:update',
    ],
    scope: 'own-org',
    description: 'operators enroll, attest, release and revoke the devices of their organisation',
  },
  {
    id: 'hub-devices-readers',
    effect: 'allow',
    roles: ['analyst', 'provider'],
    actions: ['hub:device:read'],
    scope: 'own-org',
    description: 'analysts and data providers see the devices of their organisation',
  },
  {
    id: 'hub-device-self',
    effect: 'allow',
    roles: ['device'],
    actions: ['hub:reading:publish', 'hub:device:quote', 'hub:device:rotate', 'hub:device:read'],
    scope: 'self',
    description: 'a device publishes its own readings, answers its own attestation and rotates its own key',
  },
];
