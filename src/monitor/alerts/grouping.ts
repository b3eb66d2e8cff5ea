import { newTimeOrderedId } from '../../core/index.ts';
import type { MonitorDb } from '../store/events.ts';
import type { MonitorTables } from '../store/schema.ts';
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
  const folded = foldCandidates(candidates);
  if (folded.length === 0) return [];
  // One look-up for every group the batch touches, then one multi-row insert of the new alerts.
  const existing = new Map<string, { id: string; count: number; first_seen: number; last_seen: number }>();
  const keys = [...new Set(folded.map((c) => groupKey(c)))];
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('monitor_alerts')
      .select(['id', 'org_id', 'group_key', 'count', 'first_seen', 'last_seen'])
      .where('group_key', 'in', keys.slice(i, i + 500))
      .where('status', '!=', 'closed')
      .execute();
    for (const r of rows)
      existing.set(`${r.org_id}\u0000${r.group_key}`, {
        id: r.id,
        count: Number(r.count),
        first_seen: Number(r.first_seen),
        last_seen: Number(r.last_seen),
      });
  }
  const changes: AlertChange[] = [];
  const inserts: Array<MonitorTables['monitor_alerts']> = [];
  const links: Array<{ alert_id: string; event_seq: number }> = [];
  for (const c of folded) {
    const key = groupKey(c);
    const prev = existing.get(`${c.org}\u0000${key}`);
    const count = (prev?.count ?? 0) + c.count;
    const risk = riskScore({ level: c.level, count, kind: c.kind, tactics: c.tactics, orgs: c.orgs });
    const firstSeen = prev ? Math.min(prev.first_seen, c.firstMs) : c.firstMs;
    const lastSeen = prev ? Math.max(prev.last_seen, c.timeMs) : c.timeMs;
    const id = prev?.id ?? newTimeOrderedId('al', now);
    if (prev) {
      await db
        .updateTable('monitor_alerts')
        .set({ count, first_seen: firstSeen, last_seen: lastSeen, risk, updated_at: now })
        .where('id', '=', id)
        .execute();
    } else {
      inserts.push({
        id,
        org_id: c.org,
        group_key: key,
        rule_id: c.ruleId,
        rule_title: c.ruleTitle.slice(0, 500),
        kind: c.kind,
        level: c.level,
        severity: severityOf(c.level),
        risk,
        technique: c.techniques[0] ?? null,
        tactic: c.tactics[0] ?? null,
        src_ip: c.srcIp,
        dst_ip: c.dstIp,
        observer: c.observer,
        count,
        first_seen: firstSeen,
        last_seen: lastSeen,
        status: 'open',
        assignee: null,
        close_reason: null,
        updated_at: now,
        detail: JSON.stringify({ ...c.detail, techniques: c.techniques, tactics: c.tactics }),
      });
    }
    const room = MAX_LINKED_EVENTS - Math.min(MAX_LINKED_EVENTS, prev?.count ?? 0);
    for (const s of c.eventSeqs.slice(0, room)) links.push({ alert_id: id, event_seq: s });
    changes.push({
      id,
      org: c.org,
      created: !prev,
      ruleId: c.ruleId,
      ruleTitle: c.ruleTitle,
      level: c.level,
      severity: severityOf(c.level),
      risk,
      count,
      srcIp: c.srcIp,
      dstIp: c.dstIp,
      technique: c.techniques[0] ?? null,
      tactic: c.tactics[0] ?? null,
      firstSeen,
      lastSeen,
    });
  }
  // 23 values a row: 500 rows stay under both dialects' parameter limits.
  for (let i = 0; i < inserts.length; i += 500)
    await db
      .insertInto('monitor_alerts')
      .values(inserts.slice(i, i + 500))
      .execute();
  for (let i = 0; i < links.length; i += 2000) {
    await db
      .insertInto('monitor_alert_events')
      .values(links.slice(i, i + 2000))
      .onConflict((oc) => oc.columns(['alert_id', 'event_seq']).doNothing())
      .execute();
  }
  return changes;
}
