import type { Kysely } from 'kysely';
import { MsecError, parseJsonOr, type Clock, type EventBus, type Store } from '../../core/index.ts';
import type { Explanation, PolicyEngine, PolicyStatement, ResourceRef } from '../policy.ts';
import type { PrincipalDirectory, Principal } from '../principals.ts';
import { PLATFORM_ORG } from '../roles.ts';
import type { IamTables } from '../schema.ts';
import type { Subject } from '../subject.ts';
import { compileDocument, validateDocument, type PolicyDocument } from './document.ts';

/** Every process reloads the central policies from the store when this is published. */
export const POLICY_CHANGED_SUBJECT = 'iam.policies.changed';

/**
 * What an administrator must keep being able to do, or nobody could undo a bad policy: a change
 * that leaves no enabled platform administrator allowed all of these is refused (IAM_POLICY_LOCKOUT).
 */
export const LOCKOUT_GUARD_ACTIONS = [
  'iam:policy:create',
  'iam:policy:update',
  'iam:policy:delete',
  'iam:principal:update',
] as const;

export interface StoredPolicy {
  document: PolicyDocument;
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface PolicyChange {
  seq: number;
  policyId: string;
  version: number;
  change: 'created' | 'updated' | 'removed';
  document: PolicyDocument | null;
  actorId: string | null;
  actorName: string | null;
  at: number;
}

export interface Actor {
  id?: string | undefined;
  name: string;
}

/** The resource every policy route acts on: central policies are the platform's, not an organisation's. */
export const POLICY_RESOURCE: ResourceRef = { type: 'policy', org: PLATFORM_ORG };

function guardResourceOf(action: string): ResourceRef {
  return action.startsWith('iam:policy:') ? POLICY_RESOURCE : { type: 'principal', org: PLATFORM_ORG };
}

function subjectOf(p: Principal): Subject {
  return { id: p.id, name: p.name, kind: p.kind, org: p.orgId, roles: p.roles, via: 'local' };
}

/**
 * Central policies: statements stored through the storage port, versioned with who changed what,
 * validated before they apply, applied in every process (bus), evaluated by the one engine.
 */
export class CentralPolicies {
  private readonly db: Kysely<IamTables>;
  private offBus: (() => void) | undefined;
  private bus: EventBus | undefined;
  /** Serialises reloads so a late one never overwrites a newer list. */
  private reloading: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    store: Store,
    private readonly engine: PolicyEngine,
    private readonly directory: PrincipalDirectory,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  /** Loads the stored policies into the engine and follows changes made by other processes. */
  async start(bus?: EventBus): Promise<void> {
    await this.reload();
    if (bus) {
      this.bus = bus;
      this.offBus = bus.subscribe(POLICY_CHANGED_SUBJECT, () => this.reload());
    }
  }

  stop(): void {
    this.offBus?.();
    this.offBus = undefined;
    this.bus = undefined;
  }

  /** Called after every reload (local change or bus); tests and caches hook here. */
  onApplied(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const stored = await this.list();
      this.engine.setCentral(stored.map((p) => compileDocument(p.document)));
      for (const fn of this.listeners) fn();
    });
    return this.reloading;
  }

  async list(): Promise<StoredPolicy[]> {
    const rows = await this.db.selectFrom('iam_policies').selectAll().orderBy('id').execute();
    return rows.map((r) => ({
      document: JSON.parse(r.document) as PolicyDocument,
      version: Number(r.version),
      updatedAt: Number(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }

  async get(id: string): Promise<StoredPolicy | undefined> {
    return (await this.list()).find((p) => p.document.id === id);
  }

  async history(policyId?: string, limit = 200): Promise<PolicyChange[]> {
    let q = this.db.selectFrom('iam_policy_history').selectAll();
    if (policyId) q = q.where('policy_id', '=', policyId);
    const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      policyId: r.policy_id,
      version: Number(r.version),
      change: r.change as PolicyChange['change'],
      document: parseJsonOr<PolicyDocument | null>(r.document, null),
      actorId: r.actor_id,
      actorName: r.actor_name,
      at: Number(r.at),
    }));
  }

  /** Schema and meaning checks against the actions this platform declares. */
  validate(input: unknown): PolicyDocument {
    const doc = validateDocument(input, this.engine.actionPrefixes());
    return doc;
  }

  /** Creates (`expectedVersion` 0 or absent) or replaces (`expectedVersion` = the stored one) a policy. */
  async put(input: unknown, actor: Actor, mode: 'create' | 'replace', expectedVersion?: number): Promise<StoredPolicy> {
    const doc = this.validate(input);
    const result = await this.change(doc.id, actor, (current) => {
      if (mode === 'create' && current) throw new MsecError('IAM_POLICY_EXISTS', `policy ${doc.id} exists already`);
      if (mode === 'replace' && !current) throw new MsecError('IAM_POLICY_NOT_FOUND', `policy ${doc.id} not found`);
      if (expectedVersion !== undefined && current && current.version !== expectedVersion)
        throw new MsecError(
          'IAM_POLICY_CONFLICT',
          `policy ${doc.id} is at version ${current.version}, not ${expectedVersion}`,
        );
      return doc;
    });
    return result!;
  }

  async remove(id: string, actor: Actor, expectedVersion?: number): Promise<void> {
    await this.change(id, actor, (current) => {
      if (!current) throw new MsecError('IAM_POLICY_NOT_FOUND', `policy ${id} not found`);
      if (expectedVersion !== undefined && current.version !== expectedVersion)
        throw new MsecError(
          'IAM_POLICY_CONFLICT',
          `policy ${id} is at version ${current.version}, not ${expectedVersion}`,
        );
      return null;
    });
  }

  /** The dry run: the decision `as` would get for `action` on `resource`, with a candidate set if given. */
  async test(
    as: string,
    action: string,
    resource: ResourceRef,
    candidate?: PolicyDocument[],
  ): Promise<Explanation & { principal: { id: string; name: string; org: string; roles: string[] } }> {
    const p = (await this.directory.findByName(as)) ?? (await this.directory.get(as));
    if (!p) throw new MsecError('IAM_POLICY_TEST_PRINCIPAL_UNKNOWN', `no principal named ${as}`);
    const central = candidate ? candidate.map(compileDocument) : this.engine.centralStatements();
    const res = { ...resource, org: resource.org ?? p.orgId };
    return {
      ...this.engine.explain(subjectOf(p), action, res, central),
      principal: { id: p.id, name: p.name, org: p.orgId, roles: p.roles },
    };
  }

  /**
   * One change in one transaction: the stored row, its history entry, the lock-out check against
   * the full set as it would be, then the bus tells every process (this one included) to reload.
   */
  private async change(
    id: string,
    actor: Actor,
    next: (current: StoredPolicy | undefined) => PolicyDocument | null,
  ): Promise<StoredPolicy | undefined> {
    const now = this.clock.now();
    const admins = (await this.directory.list({ orgId: PLATFORM_ORG, limit: 500 })).filter(
      (p) => !p.disabled && p.roles.includes('admin'),
    );
    const stored = await this.db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('iam_policies').selectAll().execute();
      const all = rows.map((r) => ({
        document: JSON.parse(r.document) as PolicyDocument,
        version: Number(r.version),
        updatedAt: Number(r.updated_at),
        updatedBy: r.updated_by,
      }));
      const current = all.find((p) => p.document.id === id);
      const doc = next(current);
      const after = all.filter((p) => p.document.id !== id).map((p) => p.document);
      if (doc) after.push(doc);
      this.refuseLockout(
        admins,
        all.map((p) => compileDocument(p.document)),
        after.map(compileDocument),
      );
      const version = (current?.version ?? 0) + 1;
      if (doc && current)
        await tx
          .updateTable('iam_policies')
          .set({ version, document: JSON.stringify(doc), updated_at: now, updated_by: actor.name })
          .where('id', '=', id)
          .where('version', '=', current.version)
          .execute();
      else if (doc)
        await tx
          .insertInto('iam_policies')
          .values({ id, version, document: JSON.stringify(doc), updated_at: now, updated_by: actor.name })
          .execute();
      else await tx.deleteFrom('iam_policies').where('id', '=', id).execute();
      // The history's (policy, version) is unique: two processes racing on one policy cannot both win.
      await tx
        .insertInto('iam_policy_history')
        .values({
          policy_id: id,
          version,
          change: doc ? (current ? 'updated' : 'created') : 'removed',
          document: doc ? JSON.stringify(doc) : null,
          actor_id: actor.id ?? null,
          actor_name: actor.name,
          at: now,
        })
        .execute();
      return doc ? { document: doc, version, updatedAt: now, updatedBy: actor.name } : undefined;
    });
    await this.reload();
    await this.bus?.publish(POLICY_CHANGED_SUBJECT, { id, at: now });
    return stored;
  }

  /** Refuses a set under which no administrator who could manage policies before still can. */
  private refuseLockout(admins: Principal[], before: PolicyStatement[], after: PolicyStatement[]): void {
    const canManage = (p: Principal, central: PolicyStatement[]) =>
      LOCKOUT_GUARD_ACTIONS.every((a) => this.engine.explain(subjectOf(p), a, guardResourceOf(a), central).allow);
    const able = admins.filter((p) => canManage(p, before));
    if (able.length === 0) return;
    if (!able.some((p) => canManage(p, after)))
      throw new MsecError(
        'IAM_POLICY_LOCKOUT',
        `refused: after this change no administrator could ${LOCKOUT_GUARD_ACTIONS.join(', ')}`,
        { details: { administrators: able.map((p) => p.name) } },
      );
  }
}
