import type { Kysely } from 'kysely';
import { MsecError, newId, type Clock, type Store } from '../core/index.ts';
import { hashPassword } from './passwords.ts';
import { isRole, ORG_KINDS, PRINCIPAL_KINDS, type OrgKind, type PrincipalKind, type Role } from './roles.ts';
import type { IamTables } from './schema.ts';

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  createdAt: number;
}

export interface Principal {
  id: string;
  orgId: string;
  kind: PrincipalKind;
  name: string;
  displayName: string | null;
  roles: Role[];
  disabled: boolean;
  lockedUntil: number | null;
  createdAt: number;
}

type PrincipalRow = IamTables['iam_principals'];

export function principalFromRow(row: PrincipalRow): Principal {
  let roles: unknown;
  try {
    roles = JSON.parse(row.roles);
  } catch {
    roles = [];
  }
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind as PrincipalKind,
    name: row.name,
    displayName: row.display_name,
    roles: Array.isArray(roles) ? roles.filter(isRole) : [],
    disabled: row.disabled === 1,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  };
}

const ORG_ID = /^[a-z][a-z0-9-]{1,62}$/;
const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export interface CreatePrincipalInput {
  orgId: string;
  kind: PrincipalKind;
  name: string;
  displayName?: string | undefined;
  roles: Role[];
  password?: string | undefined;
}

/** Organisations and principals (users, services, devices). */
export class PrincipalDirectory {
  private readonly db: Kysely<IamTables>;
  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly passwordCost: number,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  async createOrg(input: { id: string; name: string; kind: OrgKind }): Promise<Org> {
    if (!ORG_ID.test(input.id))
      throw new MsecError(
        'VALIDATION_FAILED',
        'organization id must be 2-63 lowercase letters, digits or dashes, starting with a letter',
      );
    if (!ORG_KINDS.includes(input.kind))
      throw new MsecError('VALIDATION_FAILED', `organization kind must be one of ${ORG_KINDS.join(', ')}`);
    if (await this.getOrg(input.id)) throw new MsecError('CONFLICT', `organization ${input.id} already exists`);
    const org: Org = { ...input, createdAt: this.clock.now() };
    await this.db
      .insertInto('iam_orgs')
      .values({ id: org.id, name: org.name, kind: org.kind, created_at: org.createdAt })
      .execute();
    return org;
  }

  async getOrg(id: string): Promise<Org | undefined> {
    const row = await this.db.selectFrom('iam_orgs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, kind: row.kind as OrgKind, createdAt: row.created_at };
  }

  async listOrgs(): Promise<Org[]> {
    const rows = await this.db.selectFrom('iam_orgs').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind as OrgKind, createdAt: r.created_at }));
  }

  async createPrincipal(input: CreatePrincipalInput): Promise<Principal> {
    if (!PRINCIPAL_NAME.test(input.name))
      throw new MsecError('VALIDATION_FAILED', 'name must be 1-128 letters, digits, . _ @ or -');
    if (!PRINCIPAL_KINDS.includes(input.kind))
      throw new MsecError('VALIDATION_FAILED', `kind must be one of ${PRINCIPAL_KINDS.join(', ')}`);
    const badRole = input.roles.find((r) => !isRole(r));
    if (badRole !== undefined) throw new MsecError('VALIDATION_FAILED', `unknown role ${String(badRole)}`);
    if (!(await this.getOrg(input.orgId)))
      throw new MsecError('NOT_FOUND', `organization ${input.orgId} does not exist`);
    if (await this.findByName(input.name)) throw new MsecError('CONFLICT', `principal ${input.name} already exists`);
    if (input.password !== undefined && input.password.length < 12) {
      throw new MsecError('VALIDATION_FAILED', 'password must be at least 12 characters');
    }
    const now = this.clock.now();
    const row: PrincipalRow = {
      id: newId('p'),
      org_id: input.orgId,
      kind: input.kind,
      name: input.name,
      display_name: input.displayName ?? null,
      roles: JSON.stringify([...new Set(input.roles)]),
      password_hash: input.password === undefined ? null : await hashPassword(input.password, this.passwordCost),
      disabled: 0,
      failed_logins: 0,
      locked_until: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('iam_principals').values(row).execute();
    return principalFromRow(row);
  }

  async get(id: string): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('iam_principals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && principalFromRow(row);
  }

  async findByName(name: string): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('iam_principals').selectAll().where('name', '=', name).executeTakeFirst();
    return row && principalFromRow(row);
  }

  /** The row with its password hash, for authentication only. */
  async credentialsByName(name: string): Promise<PrincipalRow | undefined> {
    return this.db.selectFrom('iam_principals').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async list(
    filter: { orgId?: string | undefined; kind?: PrincipalKind | undefined; limit?: number; offset?: number } = {},
  ): Promise<Principal[]> {
    let q = this.db.selectFrom('iam_principals').selectAll();
    if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    const rows = await q
      .orderBy('name')
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(principalFromRow);
  }

  async update(
    id: string,
    patch: { roles?: Role[]; disabled?: boolean; displayName?: string | null },
  ): Promise<Principal> {
    if (patch.roles) {
      const bad = patch.roles.find((r) => !isRole(r));
      if (bad !== undefined) throw new MsecError('VALIDATION_FAILED', `unknown role ${String(bad)}`);
    }
    const values: Partial<PrincipalRow> = { updated_at: this.clock.now() };
    if (patch.roles) values.roles = JSON.stringify([...new Set(patch.roles)]);
    if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    const res = await this.db.updateTable('iam_principals').set(values).where('id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new MsecError('NOT_FOUND', `principal ${id} not found`);
    return (await this.get(id))!;
  }

  async setPassword(id: string, password: string): Promise<void> {
    if (password.length < 12) throw new MsecError('VALIDATION_FAILED', 'password must be at least 12 characters');
    const hash = await hashPassword(password, this.passwordCost);
    await this.db
      .updateTable('iam_principals')
      .set({ password_hash: hash, updated_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a principal with its API keys and refresh tokens. */
  async remove(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('iam_api_keys').where('principal_id', '=', id).execute();
      await tx.deleteFrom('iam_refresh_tokens').where('principal_id', '=', id).execute();
      const res = await tx.deleteFrom('iam_principals').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new MsecError('NOT_FOUND', `principal ${id} not found`);
    });
  }

  async recordLoginFailure(id: string, threshold: number, lockoutMs: number): Promise<{ locked: boolean }> {
    const row = await this.db
      .selectFrom('iam_principals')
      .select(['failed_logins'])
      .where('id', '=', id)
      .executeTakeFirst();
    const failures = (row?.failed_logins ?? 0) + 1;
    const locked = failures >= threshold;
    await this.db
      .updateTable('iam_principals')
      .set({ failed_logins: locked ? 0 : failures, ...(locked ? { locked_until: this.clock.now() + lockoutMs } : {}) })
      .where('id', '=', id)
      .execute();
    return { locked };
  }

  async recordLoginSuccess(id: string): Promise<void> {
    await this.db
      .updateTable('iam_principals')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', id)
      .execute();
  }

  async unlock(id: string): Promise<void> {
    await this.recordLoginSuccess(id);
  }
}
