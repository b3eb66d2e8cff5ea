import { newId } from '../../core/index.ts';
import type { MonitorDb } from '../store/events.ts';
import { riskScore, severityOf, type Level } from './risk.ts';

/** What one match (an IDS alert or a Sigma detection/correlation) contributes to the inbox. */
export interface AlertCandidate {
  org: string;
  ruleId: string;
  ruleTitle: string;
  kind: 'ids' | 'detection' | 'correlation';
  level: Level;
  techniques: string[];
  tactics: string[];
  srcIp: string | null;
  dstIp: string | null;
  observer: string | null;
  timeMs: number;
  eventSeqs: number[];
  /** Matches folded into this candidate (a correlation's counted value counts once). */
  count: number;
  orgs: number;
  detail: Record<string, unknown>;
}

/** The alerts a batch created or grew: what notifications look at. */
export interface AlertChange {
  id: string;
  org: string;
  created: boolean;
  ruleId: string;
  ruleTitle: string;
  level: Level;
  severity: number;
  risk: number;
  count: number;
  srcIp: string | null;
  dstIp: string | null;
  technique: string | null;
  tactic: string | null;
  firstSeen: number;
  lastSeen: number;
}

/** An alert links at most this many events; IDS alerts reach the rest by flow_id. */
export const MAX_LINKED_EVENTS = 200;

/** EveBox's inbox grouping: one alert per rule, source and destination while it is not closed. */
export function groupKey(c: Pick<AlertCandidate, 'ruleId' | 'srcIp' | 'dstIp'>): string {
  return `${c.ruleId}|${c.srcIp ?? '-'}|${c.dstIp ?? '-'}`;
}

/** Folds candidates with the same org and group key into one, keeping time bounds and events. */
export function foldCandidates(list: AlertCandidate[]): Array<AlertCandidate & { firstMs: number }> {
  const byKey = new Map<string, AlertCandidate & { firstMs: number }>();
  for (const c of list) {
    const key = `${c.org}\u0000${groupKey(c)}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...c, eventSeqs: [...c.eventSeqs], firstMs: c.timeMs });
      continue;
    }
    prev.count += c.count;
    prev.firstMs = Math.min(prev.firstMs, c.timeMs);
    prev.timeMs = Math.max(prev.timeMs, c.timeMs);
    prev.orgs = Math.max(prev.orgs, c.orgs);
    for (const s of c.eventSeqs) if (prev.eventSeqs.length < MAX_LINKED_EVENTS) prev.eventSeqs.push(s);
  }
  return [...byKey.values()];
}

/** Creates or grows the open alert of each folded candidate, inside the caller's transaction. */
export async function writeAlerts(db: MonitorDb, candidates: AlertCandidate[], now: number): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  for (const c of foldCandidates(candidates)) {
    const key = groupKey(c);
    const existing = await db
      .selectFrom('monitor_alerts')
      .select(['id', 'count', 'first_seen', 'last_seen', 'status'])
      .where('org_id', '=', c.org)
      .where('group_key', '=', key)
      .where('status', '!=', 'closed')
      .executeTakeFirst();
    const count = Number(existing?.count ?? 0) + c.count;
    const risk = riskScore({ level: c.level, count, kind: c.kind, tactics: c.tactics, orgs: c.orgs });
    const firstSeen = existing ? Math.min(Number(existing.first_seen), c.firstMs) : c.firstMs;
    const lastSeen = existing ? Math.max(Number(existing.last_seen), c.timeMs) : c.timeMs;
    const id = existing?.id ?? newId('al');
    if (existing) {
      await db.updateTable('monitor_alerts').set({ count, first_seen: firstSeen, last_seen: lastSeen, risk, updated_at: now }).where('id', '=', id).execute();
    } else {
      await db
        .insertInto('monitor_alerts')
        .values({
          id, org_id: c.org, group_key: key, rule_id: c.ruleId, rule_title: c.ruleTitle.slice(0, 500), kind: c.kind, level: c.level,
          severity: severityOf(c.level), risk, technique: c.techniques[0] ?? null, tactic: c.tactics[0] ?? null, src_ip: c.srcIp, dst_ip: c.dstIp,
          observer: c.observer, count, first_seen: firstSeen, last_seen: lastSeen, status: 'open', assignee: null, close_reason: null,
          updated_at: now, detail: JSON.stringify({ ...c.detail, techniques: c.techniques, tactics: c.tactics }),
        })
        .execute();
    }
    const room = MAX_LINKED_EVENTS - Math.min(MAX_LINKED_EVENTS, Number(existing?.count ?? 0));
    const link = c.eventSeqs.slice(0, room);
    if (link.length > 0) {
      await db
        .insertInto('monitor_alert_events')
        .values(link.map((s) => ({ alert_id: id, event_seq: s })))
        .onConflict((oc) => oc.columns(['alert_id', 'event_seq']).doNothing())
        .execute();
    }
    changes.push({
      id, org: c.org, created: !existing, ruleId: c.ruleId, ruleTitle: c.ruleTitle, level: c.level, severity: severityOf(c.level), risk, count,
      srcIp: c.srcIp, dstIp: c.dstIp, technique: c.techniques[0] ?? null, tactic: c.tactics[0] ?? null, firstSeen, lastSeen,
    });
  }
  return changes;
}
