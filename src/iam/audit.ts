import type { Kysely } from 'kysely';
import type { Clock, Store } from '../core/index.ts';
import { AnonymousRefusals } from './audit-aggregate.ts';
import type { IamTables } from './schema.ts';

import type { AuditOutcome, AuditRecord } from '../core/platform/access.ts';
export type { AuditOutcome, AuditRecord };

export interface AuditEntry extends Required<Omit<AuditRecord, 'detail'>> {
  id: number;
  at: number;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  actorId?: string | undefined;
  orgId?: string | undefined;
  outcome?: AuditOutcome | undefined;
  action?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Return entries with id below this (pagination, newest first). */
  before?: number | undefined;
  limit?: number | undefined;
}

/** Accounting: an append-only record of mutating and denied requests (the store refuses updates). */
export class AuditLog {
  private readonly db: Kysely<IamTables>;
  private listeners: Array<(e: AuditEntry) => void> = [];
  /** Refusals of anonymous callers, aggregated per source and reason (see AnonymousRefusals). */
  readonly anonymous: AnonymousRefusals;

  constructor(
    store: Store,
    private readonly clock: Clock,
    refusalWindowMs?: number,
  ) {
    this.db = store.db.withTables<IamTables>();
    this.anonymous = new AnonymousRefusals((rec) => this.append(rec), clock, refusalWindowMs);
  }

  onAppend(listener: (e: AuditEntry) => void): void {
    this.listeners.push(listener);
  }

  async append(rec: AuditRecord): Promise<void> {
    const at = this.clock.now();
    const row = {
      at,
      actor_id: rec.actorId ?? null,
      actor_name: rec.actorName ?? null,
      org_id: rec.orgId ?? null,
      action: rec.action.slice(0, 200),
      resource: rec.resource?.slice(0, 500) ?? null,
      outcome: rec.outcome,
      status: rec.status ?? null,
      ip: rec.ip ?? null,
      request_id: rec.requestId ?? null,
      detail: rec.detail ? JSON.stringify(rec.detail).slice(0, 4000) : null,
    };
    const inserted = await this.db.insertInto('iam_audit_log').values(row).returning('id').executeTakeFirstOrThrow();
    if (this.listeners.length) {
      const entry = toEntry({ ...row, id: Number(inserted.id) });
      for (const l of this.listeners) l(entry);
    }
  }

  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    let sel = this.db.selectFrom('iam_audit_log').selectAll();
    if (q.actorId) sel = sel.where('actor_id', '=', q.actorId);
    if (q.orgId) sel = sel.where('org_id', '=', q.orgId);
    if (q.outcome) sel = sel.where('outcome', '=', q.outcome);
    if (q.action) sel = sel.where('action', '=', q.action);
    if (q.since !== undefined) sel = sel.where('at', '>=', q.since);
    if (q.until !== undefined) sel = sel.where('at', '<', q.until);
    if (q.before !== undefined) sel = sel.where('id', '<', q.before);
    const rows = await sel
      .orderBy('id', 'desc')
      .limit(Math.min(q.limit ?? 100, 1000))
      .execute();
    return rows.map((r) => toEntry({ ...r, id: Number(r.id) }));
  }
}

function toEntry(r: Omit<IamTables['iam_audit_log'], 'id'> & { id: number }): AuditEntry {
  let detail: Record<string, unknown> | null = null;
  if (r.detail) {
    try {
      detail = JSON.parse(r.detail) as Record<string, unknown>;
    } catch {
      detail = { raw: r.detail };
    }
  }
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    orgId: r.org_id,
    action: r.action,
    resource: r.resource,
    outcome: r.outcome as AuditOutcome,
    status: r.status,
    ip: r.ip,
    requestId: r.request_id,
    detail,
  };
}
