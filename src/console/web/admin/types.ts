export const ROLES = ['admin', 'operator', 'analyst', 'provider', 'consumer', 'device'] as const;
export const PRINCIPAL_KINDS = ['user', 'service', 'device'] as const;
export const ORG_KINDS = ['city', 'buyer', 'partner', 'platform'] as const;

export interface Principal {
  id: string;
  orgId: string;
  kind: string;
  name: string;
  displayName: string | null;
  roles: string[];
  disabled: boolean;
  lockedUntil: number | null;
  createdAt: number;
}
export interface Org {
  id: string;
  name: string;
  kind: string;
  createdAt: number;
}
export interface ApiKeyInfo {
  id: string;
  principalId: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export const when = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toLocaleString());
