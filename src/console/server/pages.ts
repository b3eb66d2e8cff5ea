/** Console pages and the action each needs; the server tells the browser which it may show. */
export const CONSOLE_PAGES = [
  { id: 'alerts', title: 'Alerts', action: 'monitor:alert:read', resource: 'alert' },
  { id: 'devices', title: 'Devices and data', action: 'hub:twin:browse', resource: 'twin' },
  { id: 'market', title: 'Marketplace', action: 'market:listing:read', resource: 'listing' },
  { id: 'anonymizer', title: 'Anonymizer', action: 'anonymizer:image:create', resource: 'image' },
  { id: 'inbox', title: 'Alert inbox', action: 'monitor:alert:read', resource: 'alert' },
  { id: 'events', title: 'Events', action: 'monitor:event:read', resource: 'event' },
  { id: 'ledger', title: 'Trusted storage', action: 'ledger:proof:read', resource: 'proof' },
  { id: 'admin', title: 'Audit log', action: 'iam:audit:read', resource: 'audit' },
  { id: 'users', title: 'Users and keys', action: 'iam:principal:read', resource: 'principal' },
  { id: 'policies', title: 'Policies', action: 'iam:policy:read', resource: 'policy' },
] as const;

export type ConsolePageId = (typeof CONSOLE_PAGES)[number]['id'];
