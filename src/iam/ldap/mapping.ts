import { MsecError } from '../../core/index.ts';
import { isRole, type Role } from '../roles.ts';

export interface GroupMappingConfig {
  groupRoles: Record<string, string>;
  groupOrgs?: Record<string, string> | undefined;
  defaultOrg: string;
}

/** Maps a directory user's group cns to msec roles and one organisation (configured, case-insensitive cns). */
export class GroupMapping {
  private readonly roles = new Map<string, Role>();
  private readonly orgs = new Map<string, string>();

  /** `where` names the configuration key in error messages (ldap.groupRoles, oidc.claimRoles). */
  constructor(
    private readonly config: GroupMappingConfig,
    where = 'ldap.groupRoles',
  ) {
    for (const [group, role] of Object.entries(config.groupRoles)) {
      if (!isRole(role))
        throw new MsecError('IAM_LDAP_CONFIG_INVALID', `${where}: group ${group} maps to unknown role ${role}`);
      this.roles.set(group.toLowerCase(), role);
    }
    for (const [group, org] of Object.entries(config.groupOrgs ?? {})) this.orgs.set(group.toLowerCase(), org);
  }

  rolesOf(groups: readonly string[]): Role[] {
    const out = new Set<Role>();
    for (const g of groups) {
      const r = this.roles.get(g.toLowerCase());
      if (r) out.add(r);
    }
    return [...out].sort();
  }

  /** The organisation of the first mapped group in configuration order, else the default. */
  orgOf(groups: readonly string[]): string {
    const mine = new Set(groups.map((g) => g.toLowerCase()));
    for (const [group, org] of this.orgs) if (mine.has(group)) return org;
    return this.config.defaultOrg;
  }
}
