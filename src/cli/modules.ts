import type { Config, PlatformModule } from '../core/index.ts';

/**
 * The feature modules `msec up` runs for its roles, each loaded only when a role needs it. The
 * HTTP API and IAM always run; start order follows what each module provides and needs.
 */
export async function platformModules(config: Config): Promise<PlatformModule[]> {
  const roles = new Set(config.roles);
  const want = (role: string) => roles.has('all') || roles.has(role);
  const modules: PlatformModule[] = [];
  // The ledger logs what the hub and the vault write (and the audit trail's heads), so either brings it along.
  if (want('ledger') || want('hub') || want('vault') || want('market')) {
    const [{ ledgerModule }, { auditHeadsModule }] = await Promise.all([
      import('../ledger/index.ts'),
      import('../iam/audit-heads-module.ts'),
    ]);
    modules.push(ledgerModule(), auditHeadsModule());
  }
  // The market settles into the hub's grants in the same transaction, so it runs beside a hub.
  // The CA starts before the hub, whose mTLS listeners trust it and check revocations with it.
  if (want('hub')) modules.push((await import('../ca/index.ts')).caModule());
  if (want('hub') || want('market')) modules.push((await import('../hub/index.ts')).hubModule());
  if (want('vault')) modules.push((await import('../vault/index.ts')).vaultModule());
  // An external LDAP directory for staff logins, only when configured (the embedded one stays the default).
  if (config.ldap) modules.push((await import('../iam/index.ts')).ldapModule());
  if (config.oidc) modules.push((await import('../iam/index.ts')).oidcModule());
  // OAuth 2.0 client credentials for machine clients: inert until an admin registers a client.
  modules.push((await import('../iam/index.ts')).oauthModule());
  // Audit and security events to the city's SIEM over syslog, only when MSEC_SYSLOG_URL is set.
  if (process.env.MSEC_SYSLOG_URL) modules.push((await import('../iam/index.ts')).syslogModule());
  if (want('monitor')) modules.push((await import('../monitor/index.ts')).monitorModule());
  // The gateway's part of `msec up` is its demo: replayed IDS attacks shipped to the monitor by the agent.
  if (config.demo && want('monitor')) modules.push((await import('../gateway/index.ts')).gatewayModule());
  if (want('market')) modules.push((await import('../market/index.ts')).marketModule());
  if (want('anonymizer')) modules.push((await import('../anonymizer/index.ts')).anonymizerModule());
  return modules;
}
