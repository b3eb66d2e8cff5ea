export * from './roles.ts';
export type { IamTables } from './schema.ts';
export { iamMigrations } from './schema.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { PrincipalDirectory, type Principal, type Org, type CreatePrincipalInput } from './principals.ts';
export type { Subject } from './subject.ts';
export { TokenService, TOKEN_AUDIENCE, TOKEN_ISSUER, type IssuedTokens } from './tokens.ts';
export { ApiKeyService, type ApiKeyInfo } from './api-keys.ts';
export { SigningKeys, SIGNING_KEYS_SUBJECT } from './signing-keys.ts';
export {
  PolicyEngine,
  actionMatches,
  DEFAULT_STATEMENTS,
  type PolicyStatement,
  type ResourceRef,
  type Decision,
  type Scope,
  type Explanation,
  type MatchedStatement,
} from './policy.ts';
export {
  CentralPolicies,
  POLICY_CHANGED_SUBJECT,
  POLICY_RESOURCE,
  LOCKOUT_GUARD_ACTIONS,
  type StoredPolicy,
  type PolicyChange,
} from './policies/central.ts';
export { PolicyDocumentSchema, validateDocument, compileDocument, type PolicyDocument } from './policies/document.ts';
export { AuditLog, type AuditRecord, type AuditEntry, type AuditQuery, type AuditOutcome } from './audit.ts';
export { Iam, type IamOptions } from './iam.ts';
export { bootstrapAdmin, ADMIN_USERNAME } from './bootstrap.ts';
export { IAM } from './service.ts';
export { AUDIT_HEAD_KIND, auditEntryHash, chainAuditHead, AuditHeads } from './audit-heads.ts';
export { auditHeadsModule } from './audit-heads-module.ts';
export { verifyAuditTrail, type AuditVerifyReport, type AuditVerifyStart } from './audit-verify.ts';
export type { IamErrorCode } from './errors.ts';
export { ldapModule } from './ldap/module.ts';
export { escapeFilterValue } from './ldap/escape.ts';
export { oidcModule } from './oidc/module.ts';
export { OIDC_SIGNIN, OidcSignin, type PendingSignin, type SigninFailure, type SignedIn } from './oidc/signin.ts';
export { oauthModule } from './oauth/module.ts';
export { auditSettingsFromEnv, DEFAULT_AUDIT_RETENTION, type AuditRetention } from './audit-settings.ts';
export { AuditRetentionJob, verifyAuditChain, type AuditChainVerdict } from './audit-retention.ts';
export { OAuthIssuer, OAUTH_ISSUER } from './oauth/tokens.ts';
export { authorizationServerMetadata } from './oauth/metadata.ts';
export { syslogModule } from './syslog/module.ts';
export { SyslogForwarder } from './syslog/forwarder.ts';
export { syslogSettingsFromEnv, type SyslogSettings } from './syslog/settings.ts';
export { formatSyslog, frameOctetCounted, splitOctetCounted } from './syslog/format.ts';
export {
  UsageAccounting,
  USAGE_BUCKET_MS,
  type UsageReport,
  type ReportRow,
  type ReportBy,
  type ReportQuery,
} from './usage.ts';
export { usageReportCsv, toCsv, csvField, neutraliseFormula } from './report-csv.ts';
