// The roles live in the platform contract (core); iam re-exports them for its callers.
export {
  ROLES,
  PRINCIPAL_KINDS,
  ORG_KINDS,
  PLATFORM_ORG,
  isRole,
  type Role,
  type PrincipalKind,
  type OrgKind,
} from '../core/platform/roles.ts';
