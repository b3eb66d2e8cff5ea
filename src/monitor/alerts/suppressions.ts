import type { Kysely } from 'kysely';
import { MsecError, newId } from '../../core/index.ts';
import type { MonitorDb } from '../store/events.ts';
import type { MonitorTables } from '../store/schema.ts';
import type { AlertCandidate } from './grouping.ts';

export type Suppression = MonitorTables['monitor_suppressions'];

export interface SuppressionInput {
  ruleId?: string | undefined;
  signatureId?: number | undefined;
  srcIp?: string | undefined;
  /** Suppress until this instant (ms); absent = until removed. */
  until?: number | undefined;
  reason: string;
}

/**
 * Suppressions silence a rule, a Suricata signature, a source, or a combination, for a time or
 * until removed. Matching happens on every candidate, so the list is kept in memory and reloaded
 * on change; hits are counted per suppression.
 */
export class Suppressions {
  private list: Suppression[] = [];
  private readonly pendingHits = new Map<string, number>();

  constructor(private readonly db: Kysely<MonitorTables>) {}

  async reload(): Promise<void> {
    this.list = await this.db.selectFrom('monitor_suppressions').selectAll().execute();
  }

  /** The suppression that silences this candidate now, if any; counts the hit. */
  match(c: AlertCandidate, now: number): Suppression | undefined {
    const sigId = typeof c.detail.signatureId === 'number' ? c.detail.signatureId : undefined;
    for (const s of this.list) {
      if (s.org_id !== c.org) continue;
      if (s.until !== null && Number(s.until) <= now) continue;
      if (s.rule_id !== null && s.rule_id !== c.ruleId) continue;
      if (s.signature_id !== null && Number(s.signature_id) !== sigId) continue;
      if (s.src_ip !== null && s.src_ip !== c.srcIp) continue;
      this.pendingHits.set(s.id, (this.pendingHits.get(s.id) ?? 0) + 1);
      return s;
    }
    return undefined;
  }

  /** Writes the counted hits inside the batch's transaction. */
  async flushHits(db: MonitorDb): Promise<void> {
    for (const [id, n] of this.pendingHits) {
      await db
        .updateTable('monitor_suppressions')
        .set((eb) => ({ hits: eb('hits', '+', n) }))
        .where('id', '=', id)
        .execute();
    }
    this.pendingHits.clear();
  }

  async add(org: string, input: SuppressionInput, actor: string, now: number): Promise<Suppression> {
    if (input.ruleId === undefined && input.signatureId === undefined && input.srcIp === undefined) {
      throw new MsecError('MONITOR_SUPPRESSION_INVALID', 'a suppression names a rule, a signature or a source', {
        status: 400,
      });
    }
    const row: Suppression = {
      id: newId('sp'),
      org_id: org,
      rule_id: input.ruleId ?? null,
      signature_id: input.signatureId ?? null,
      src_ip: input.srcIp ?? null,
      until: input.until ?? null,
      reason: input.reason,
      created_by: actor,
      created_at: now,
      hits: 0,
    };
    await this.db.insertInto('monitor_suppressions').values(row).execute();
    await this.reload();
    return row;
  }

  async remove(id: string): Promise<Suppression | undefined> {
    const row = await this.db.selectFrom('monitor_suppressions').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) await this.db.deleteFrom('monitor_suppressions').where('id', '=', id).execute();
    await this.reload();
    return row;
  }

  async listFor(orgs: string[] | 'all'): Promise<Suppression[]> {
    let q = this.db.selectFrom('monitor_suppressions').selectAll().orderBy('created_at', 'desc');
    if (orgs !== 'all') q = q.where('org_id', 'in', orgs);
    return q.execute();
  }
}
