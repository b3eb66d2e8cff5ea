/**
 * What every module may ask of access control, whoever implements it (iam does). Modules that
 * need more of IAM (the directory, API keys) declare the `IAM` service from iam's face instead.
 */
import type { PrincipalKind, Role } from './roles.ts';

/** Who is making a request, after authentication. */
export interface Subject {
  id: string;
  name: string;
  kind: PrincipalKind;
  org: string;
  roles: Role[];
  /** How the subject authenticated. */
  via: 'token' | 'api-key' | 'device' | 'local' | 'certificate';
  /** Access token id, for revocation at logout. */
  jti?: string;
  /** When the credential expires (ms), where it does. */
  expiresAt?: number;
  /** Refresh-token family of the session an access token belongs to. */
  family?: string;
  /** OAuth scopes of the token (action patterns): when set, only actions matching one are allowed. */
  scopes?: string[] | undefined;
  /** API key id when via = api-key. */
  apiKeyId?: string;
}

/** What a request touches: a typed resource, its organisation and owner where known. */
export interface ResourceRef {
  type: string;
  id?: string | undefined;
  org?: string | undefined;
  owner?: string | undefined;
  attributes?: Record<string, unknown>;
}

/**
 * `any`: every resource; `own-org`: resources of the subject's organisation;
 * `self`: the subject itself or what it owns; `platform`: only subjects of the platform org.
 */
export type Scope = 'any' | 'own-org' | 'self' | 'platform';

export interface PolicyStatement {
  id: string;
  effect: 'allow' | 'deny';
  roles: Role[] | '*';
  /** Action patterns `module:resource:verb`; `*` matches one segment, a trailing `*` the rest. */
  actions: string[];
  scope: Scope;
  /** Optional attribute test on the resource (e.g. a sharing flag). */
  when?: (subject: Subject, resource: ResourceRef, action: string) => boolean;
  description?: string;
}

export interface Decision {
  allow: boolean;
  statement?: string;
  reason: string;
}

export type AuditOutcome = 'succeeded' | 'failed' | 'denied';

export interface AuditRecord {
  actorId?: string | null | undefined;
  actorName?: string | null | undefined;
  orgId?: string | null | undefined;
  action: string;
  resource?: string | null | undefined;
  outcome: AuditOutcome;
  status?: number | null | undefined;
  ip?: string | null | undefined;
  requestId?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** A bearer-credential check a module contributes (e.g. device tokens); undefined = not mine. */
export type CredentialAuthenticator = (credential: string) => Promise<Subject | undefined>;

export interface PlatformAccess {
  /** The one deny-by-default policy engine's answer. */
  decide(subject: Subject, action: string, resource: ResourceRef): Decision;
  /** Appends to the append-only audit log; resolves once durable. */
  audit: { append(rec: AuditRecord): Promise<void> };
  addAuthenticator(fn: CredentialAuthenticator): void;
}
