import { PLATFORM_ORG } from '../../iam/index.ts';
import type { AlertCandidate } from '../alerts/grouping.ts';
import { mitreOf } from '../alerts/mitre.ts';
import { levelOfSuricataSeverity } from '../alerts/risk.ts';
import type { StoredRef } from '../store/events.ts';
import type { SigmaMatch } from './engine-contract.ts';

/** Every Suricata alert record is an inbox entry of its own signature (EveBox's model). */
export function idsCandidate(ref: StoredRef): AlertCandidate | undefined {
  const { event } = ref.item;
  if (event.type !== 'eve' || event.columns.dataset !== 'alert') return undefined;
  const c = event.columns;
  const eve = (event.doc.suricata as { eve: Record<string, unknown> }).eve;
  const alert = (eve.alert ?? {}) as Record<string, unknown>;
  const gid = typeof alert.gid === 'number' ? alert.gid : 1;
  const mitre = mitreOf([], techniquesFromDoc(event.doc));
  // The signature's own tactic (ET's mitre_tactic_id) wins over the technique map's first.
  const own = tacticsOf(alert.metadata);
  const tactics = [...own, ...mitre.tactics.filter((t) => !own.includes(t))];
  // Conditional keys are assigned, not spread into the literal: the spread cost more than the rest.
  const detail: Record<string, unknown> = {
    signatureId: c.signature_id,
    gid,
    category: alert.category ?? null,
    severity: c.severity,
  };
  if (alert.metadata && typeof alert.metadata === 'object') detail.metadata = alert.metadata;
  return {
    org: ref.item.org,
    ruleId: `suricata:${gid}:${c.signature_id ?? 0}`,
    ruleTitle: c.signature ?? `Suricata signature ${c.signature_id ?? '?'}`,
    kind: 'ids',
    level: levelOfSuricataSeverity(c.severity),
    techniques: mitre.techniques,
    tactics,
    srcIp: c.src_ip,
    dstIp: c.dst_ip,
    observer: c.observer,
    timeMs: event.timeMs,
    eventSeqs: [ref.seq],
    count: 1,
    orgs: 1,
    detail,
  };
}

function tacticsOf(metadata: unknown): string[] {
  const v =
    metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>).mitre_tactic_id : undefined;
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && /^TA\d{4}$/.test(x));
}

function techniquesFromDoc(doc: Record<string, unknown>): string[] {
  const ids = (doc.threat as { technique?: { id?: unknown } } | undefined)?.technique?.id;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * A Sigma match into an inbox candidate. Correlations group by their own group-by values only
 * (a SYN flood from spoofed sources is one alert per destination, not one per source).
 */
export function sigmaCandidate(
  m: SigmaMatch,
  trigger: StoredRef,
  orgOfSeq: (seq: number) => string | undefined,
): AlertCandidate {
  const seqs = m.eventIds.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const orgs = new Set<string>([trigger.item.org]);
  if (m.kind === 'correlation')
    for (const s of seqs) {
      const o = orgOfSeq(s);
      if (o) orgs.add(o);
    }
  const c = trigger.item.event.columns;
  const group = m.group ?? {};
  const srcIp = m.kind === 'correlation' ? (group['source.ip'] ?? null) : c.src_ip;
  const dstIp = m.kind === 'correlation' ? (group['destination.ip'] ?? null) : c.dst_ip;
  const mitre = mitreOf(m.rule.tags);
  const detail: Record<string, unknown> = { tags: m.rule.tags };
  if (m.rule.description) detail.description = m.rule.description;
  if (m.rule.falsepositives) detail.falsepositives = m.rule.falsepositives;
  if (m.group) detail.group = m.group;
  if (m.count !== undefined) detail.value = m.count;
  if (orgs.size > 1) detail.orgs = [...orgs].sort();
  return {
    org: orgs.size > 1 ? PLATFORM_ORG : trigger.item.org,
    ruleId: m.rule.id,
    ruleTitle: m.rule.title,
    kind: m.kind,
    level: m.rule.level,
    techniques: mitre.techniques,
    tactics: mitre.tactics,
    srcIp,
    dstIp,
    observer: orgs.size > 1 ? null : c.observer,
    timeMs: trigger.item.event.timeMs,
    eventSeqs: seqs.length > 0 ? seqs : [trigger.seq],
    count: 1,
    orgs: orgs.size,
    detail,
  };
}
