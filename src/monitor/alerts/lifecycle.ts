import type { Kysely, Selectable } from 'kysely';
import { MsecError, type Clock } from '../../core/index.ts';
import type { PlatformAccess } from '../../core/index.ts';

type AuditLog = PlatformAccess['audit'];
import { decodeAlertCursor, encodeCursor } from '../store/cursor.ts';
import type { MonitorTables } from '../store/schema.ts';
import { tacticName } from './mitre.ts';
import { LEVELS } from './risk.ts';

export type AlertRow = Selectable<MonitorTables['monitor_alerts']>;
export type AlertStatus = AlertRow['status'];
export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'escalated', 'closed'];
export const CLOSE_REASONS = ['true_positive', 'false_positive', 'benign'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Triage moves forward; a closed alert may be reopened, an acknowledged one put back. */
const TRANSITIONS: Record<AlertStatus, AlertStatus[]> = {
  open: ['acknowledged', 'escalated', 'closed'],
  acknowledged: ['open', 'escalated', 'closed'],
  escalated: ['acknowledged', 'closed'],
  closed: ['open'],
};

export interface AlertFilter {
  orgs: string[] | 'all';
  from?: number | undefined;
  to?: number | undefined;
  status?: AlertStatus[] | undefined;
  minSeverity?: number | undefined;
  rule?: string | undefined;
  technique?: string | undefined;
  tactic?: string | undefined;
  src?: string | undefined;
  dst?: string | undefined;
  observer?: string | undefined;
  assignee?: string | undefined;
  kind?: string | undefined;
}

export interface AlertView {
  id: string;
  org: string;
  rule: { id: string; title: string; kind: string };
  level: string;
  severity: number;
  risk: number;
  mitre: {
    technique: string | null;
    tactic: string | null;
    tacticName: string | null;
    techniques: string[];
    tactics: string[];
  };
  source: string | null;
  destination: string | null;
  gateway: string | null;
  count: number;
  firstSeen: number;
  lastSeen: number;
  status: AlertStatus;
  assignee: string | null;
  closeReason: string | null;
  updatedAt: number;
  detail: Record<string, unknown>;
}

export function alertView(r: AlertRow): AlertView {
  const detail = JSON.parse(r.detail) as Record<string, unknown>;
  return {
    id: r.id,
    org: r.org_id,
    rule: { id: r.rule_id, title: r.rule_title, kind: r.kind },
    level: r.level,
    severity: r.severity,
    risk: r.risk,
    mitre: {
      technique: r.technique,
      tactic: r.tactic,
      tacticName: r.tactic ? (tacticName(r.tactic) ?? null) : null,
      techniques: (detail.techniques as string[] | undefined) ?? [],
      tactics: (detail.tactics as string[] | undefined) ?? [],
    },
    source: r.src_ip,
    destination: r.dst_ip,
    gateway: r.observer,
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    status: r.status,
    assignee: r.assignee,
    closeReason: r.close_reason,
    updatedAt: Number(r.updated_at),
    detail,
  };
}

function filtered(db: Kysely<MonitorTables>, f: AlertFilter) {
  let q = db.selectFrom('monitor_alerts');
  if (f.orgs !== 'all') q = q.where('org_id', 'in', f.orgs.length > 0 ? f.orgs : ['\u0000']);
  if (f.from !== undefined) q = q.where('last_seen', '>=', f.from);
  if (f.to !== undefined) q = q.where('first_seen', '<', f.to);
  if (f.status && f.status.length > 0) q = q.where('status', 'in', f.status);
  if (f.minSeverity !== undefined) q = q.where('severity', '>=', f.minSeverity);
  if (f.rule) q = q.where('rule_id', '=', f.rule);
  if (f.technique) q = q.where('technique', '=', f.technique.toUpperCase());
  if (f.tactic) q = q.where('tactic', '=', f.tactic.toUpperCase());
  if (f.src) q = q.where('src_ip', '=', f.src);
  if (f.dst) q = q.where('dst_ip', '=', f.dst);
  if (f.observer) q = q.where('observer', '=', f.observer);
  if (f.assignee) q = q.where('assignee', '=', f.assignee);
  if (f.kind) q = q.where('kind', '=', f.kind);
  return q;
}

export async function listAlerts(
  db: Kysely<MonitorTables>,
  f: AlertFilter,
  limit: number,
  cursor?: string,
): Promise<{ items: AlertView[]; nextCursor: string | null }> {
  let q = filtered(db, f).selectAll();
  if (cursor) {
    const [ls, id] = decodeAlertCursor(cursor);
    q = q.where((eb) => eb.or([eb('last_seen', '<', ls), eb.and([eb('last_seen', '=', ls), eb('id', '<', id)])]));
  }
  const rows = await q
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(alertView),
    nextCursor: rows.length > limit && last ? encodeCursor([Number(last.last_seen), last.id]) : null,
  };
}

export async function alertsByIds(db: Kysely<MonitorTables>, ids: string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('monitor_alerts').selectAll().where('id', 'in', ids).execute();
}

export async function countAlerts(db: Kysely<MonitorTables>, f: AlertFilter): Promise<number> {
  const r = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export const ALERT_TOP_FIELDS = {
  rule: 'rule_id',
  source: 'src_ip',
  destination: 'dst_ip',
  technique: 'technique',
  tactic: 'tactic',
  gateway: 'observer',
  level: 'level',
} as const;
export type AlertTopField = keyof typeof ALERT_TOP_FIELDS;

/** Top-N of alerts by the events they grouped. */
export async function alertTop(
  db: Kysely<MonitorTables>,
  f: AlertFilter,
  field: AlertTopField,
  n: number,
): Promise<Array<{ key: string; alerts: number; events: number; label?: string }>> {
  const col = ALERT_TOP_FIELDS[field];
  const rows = await filtered(db, f)
    .select([
      col,
      (eb) => eb.fn.countAll<number>().as('alerts'),
      (eb) => eb.fn.sum<number>('count').as('events'),
      // A rule's title, so that a top-N of rule ids reads as names.
      (eb) => eb.fn.max('rule_title').as('title'),
    ])
    .where(col, 'is not', null)
    .groupBy(col)
    .orderBy('events', 'desc')
    .orderBy(col)
    .limit(n)
    .execute();
  return rows.map((r) => ({
    key: String((r as Record<string, unknown>)[col]),
    alerts: Number(r.alerts),
    events: Number(r.events),
    ...(field === 'rule' ? { label: String(r.title) } : {}),
  }));
}

export interface AlertUpdate {
  status?: AlertStatus | undefined;
  assignee?: string | null | undefined;
  closeReason?: CloseReason | undefined;
  comment?: string | undefined;
}

export interface AlertHistoryChange {
  from: AlertStatus;
  to: AlertStatus;
  closeReason?: string;
  assignee?: string | null;
}
export type AlertHistoryEntry = AlertHistoryChange & { at: number; actor: string };

export interface Actor {
  id: string;
  name: string;
  org: string;
}

/** Triage: status, assignee, comment; each change audited. */
export class AlertTriage {
  constructor(
    private readonly db: Kysely<MonitorTables>,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Told of every alert changed by triage (live views). */
    private readonly onChanged: (a: AlertRow) => void = () => {},
  ) {}

  async get(id: string): Promise<AlertRow | undefined> {
    return this.db.selectFrom('monitor_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async comments(id: string): Promise<Array<{ at: number; actor: string; text: string }>> {
    const rows = await this.db
      .selectFrom('monitor_alert_comments')
      .select(['at', 'actor', 'text'])
      .where('alert_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, text: r.text }));
  }

  /** Lifecycle changes (status, close reason, assignee) in order: the alert's timeline. */
  async history(id: string): Promise<AlertHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('monitor_alert_history')
      .select(['at', 'actor', 'change'])
      .where('alert_id', '=', id)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, ...(JSON.parse(r.change) as AlertHistoryChange) }));
  }

  async linkedSeqs(id: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('monitor_alert_events')
      .select('event_seq')
      .where('alert_id', '=', id)
      .orderBy('event_seq')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.event_seq));
  }

  /** Applies one update to one alert (already authorised), or throws with a stable code. */
  async update(alert: AlertRow, u: AlertUpdate, actor: Actor): Promise<AlertRow> {
    const now = this.clock.now();
    const set: Partial<AlertRow> = {};
    if (u.status !== undefined && u.status !== alert.status) {
      if (!TRANSITIONS[alert.status].includes(u.status)) {
        throw new MsecError(
          'MONITOR_ALERT_TRANSITION_INVALID',
          `an alert cannot go from ${alert.status} to ${u.status}`,
          { status: 409 },
        );
      }
      if (u.status === 'closed' && !u.closeReason)
        throw new MsecError(
          'MONITOR_ALERT_CLOSE_REASON_REQUIRED',
          'closing an alert needs closeReason (true_positive, false_positive or benign)',
          { status: 400 },
        );
      if (alert.status === 'closed') {
        const other = await this.db
          .selectFrom('monitor_alerts')
          .select('id')
          .where('org_id', '=', alert.org_id)
          .where('group_key', '=', alert.group_key)
          .where('status', '!=', 'closed')
          .executeTakeFirst();
        if (other)
          throw new MsecError(
            'MONITOR_ALERT_TRANSITION_INVALID',
            `a newer alert ${other.id} already groups these events`,
            { status: 409 },
          );
      }
      set.status = u.status;
      set.close_reason = u.status === 'closed' ? u.closeReason! : null;
    } else if (u.closeReason !== undefined && alert.status !== 'closed' && u.status !== 'closed') {
      throw new MsecError('MONITOR_ALERT_CLOSE_REASON_INVALID', 'closeReason goes with status closed', { status: 400 });
    }
    if (u.assignee !== undefined) set.assignee = u.assignee;
    const changed = Object.keys(set).length > 0;
    if (!changed && !u.comment) return alert;
    await this.db.transaction().execute(async (trx) => {
      if (changed)
        await trx
          .updateTable('monitor_alerts')
          .set({ ...set, updated_at: now })
          .where('id', '=', alert.id)
          .execute();
      if (changed)
        await trx
          .insertInto('monitor_alert_history')
          .values({
            alert_id: alert.id,
            at: now,
            actor: actor.name,
            change: JSON.stringify({
              from: alert.status,
              to: set.status ?? alert.status,
              ...(set.close_reason ? { closeReason: set.close_reason } : {}),
              ...(set.assignee !== undefined ? { assignee: set.assignee } : {}),
            }),
          })
          .execute();
      if (u.comment)
        await trx
          .insertInto('monitor_alert_comments')
          .values({ alert_id: alert.id, at: now, actor: actor.name, text: u.comment })
          .execute();
    });
    await this.audit.append({
      actorId: actor.id,
      actorName: actor.name,
      orgId: alert.org_id,
      action: 'monitor:alert:update',
      resource: `alert id=${alert.id}`,
      outcome: 'succeeded',
      detail: {
        from: alert.status,
        ...(set.status ? { to: set.status } : {}),
        ...(set.close_reason ? { closeReason: set.close_reason } : {}),
        ...(u.assignee !== undefined ? { assignee: u.assignee } : {}),
        ...(u.comment ? { comment: u.comment.slice(0, 200) } : {}),
      },
    });
    const after = (await this.get(alert.id))!;
    this.onChanged(after);
    return after;
  }

  /** Ids of alerts matching a filter (for bulk actions), bounded. */
  async idsMatching(f: AlertFilter, max: number): Promise<AlertRow[]> {
    return filtered(this.db, f).selectAll().orderBy('last_seen', 'desc').limit(max).execute();
  }
}

export function levelRank(level: string): number | undefined {
  const i = LEVELS.indexOf(level as never);
  return i < 0 ? undefined : i + 1;
}
