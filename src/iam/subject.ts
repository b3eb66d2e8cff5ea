import type { PrincipalKind, Role } from './roles.ts';

/** Who is making a request, after authentication. */
export interface Subject {
  id: string;
  name: string;
  kind: PrincipalKind;
  org: string;
  roles: Role[];
  /** How the subject authenticated. */
  via: 'token' | 'api-key' | 'device' | 'local';
  /** Access token id, for revocation at logout. */
  jti?: string;
  /** When the credential expires (ms), where it does. */
  expiresAt?: number;
  /** Refresh-token family of the session an access token belongs to. */
  family?: string;
  /** API key id when via = api-key. */
  apiKeyId?: string;
}
