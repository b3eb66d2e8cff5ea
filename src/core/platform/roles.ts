/** The roles of the platform (security management, AAA). */
export const ROLES = ['admin', 'operator', 'analyst', 'provider', 'consumer', 'device'] as const;
export type Role = (typeof ROLES)[number];

export const PRINCIPAL_KINDS = ['user', 'service', 'device'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const ORG_KINDS = ['platform', 'city', 'buyer', 'partner'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** The operator's own organisation: its admins administer every organisation. */
export const PLATFORM_ORG = 'platform';

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}
