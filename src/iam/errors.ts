/** Error codes raised by the IAM directory back ends (LDAP, OIDC); statuses in src/server/http-status.ts. */
export type IamErrorCode =
  /** The LDAP directory is down, refused the service bind or did not answer within the timeout. */
  | 'IAM_LDAP_UNAVAILABLE'
  /** The LDAP configuration is unusable (unreadable password or CA file, bad mapping). */
  | 'IAM_LDAP_CONFIG_INVALID'
  /** The directory user is in no group that maps to a role: no access. */
  | 'IAM_LDAP_NO_ROLE'
  /** A local principal with a password already holds the name of a directory user. */
  | 'IAM_LDAP_NAME_CONFLICT'
  /** A token from the external OIDC provider failed a check (signature, issuer, audience, expiry, algorithm). */
  | 'IAM_OIDC_TOKEN_INVALID'
  /** The token is valid but none of its claims maps to an msec role. */
  | 'IAM_OIDC_NO_ROLE'
  /** The provider's discovery document or JWKS could not be fetched or is inconsistent. */
  | 'IAM_OIDC_PROVIDER_UNAVAILABLE'
  /** The console's sign-in at the provider failed (state or nonce mismatch, consent denied, no role); details.reason says which. */
  | 'IAM_OIDC_SIGNIN_FAILED'
  /** A central policy failed its schema or its meaning checks (unknown action prefix, bad scope). */
  | 'IAM_POLICY_INVALID'
  /** A central policy with this id exists already (create) or does not (update, remove, history). */
  | 'IAM_POLICY_EXISTS'
  | 'IAM_POLICY_NOT_FOUND'
  /** The change was made against an older version of the policy than the stored one. */
  | 'IAM_POLICY_CONFLICT'
  /** The change would leave no administrator able to manage policies and principals: refused. */
  | 'IAM_POLICY_LOCKOUT'
  /** The dry run names a principal that does not exist. */
  | 'IAM_POLICY_TEST_PRINCIPAL_UNKNOWN'
  /** MSEC_SYSLOG_* is unusable (bad URL or scheme, unreadable CA/certificate file): start-up fails. */
  | 'IAM_SYSLOG_CONFIG_INVALID'
  /** The audit report's period or grouping is not usable (from after to, unknown `by`). */
  | 'IAM_AUDIT_REPORT_INVALID';
