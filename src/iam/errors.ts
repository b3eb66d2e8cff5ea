/** Error codes raised by the IAM directory back ends (LDAP, OIDC); statuses in src/server/http-status.ts. */
export type IamErrorCode =
  /** The LDAP directory is down, refused the service bind or did not answer within the timeout. */
  | 'IAM_LDAP_UNAVAILABLE'
  /** The LDAP configuration is unusable (unreadable password or CA file, bad mapping). */
  | 'IAM_LDAP_CONFIG_INVALID'
  /** The directory user is in no group that maps to a role: no access. */
  | 'IAM_LDAP_NO_ROLE'
  /** A local principal with a password already holds the name of a directory user. */
  | 'IAM_LDAP_NAME_CONFLICT';
