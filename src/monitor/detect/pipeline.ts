import type { Kysely } from 'kysely';
import type { Clock, Dialect, Logger } from '../../core/index.ts';
import { writeAlerts, type AlertCandidate, type AlertChange } from '../alerts/grouping.ts';
import type { Suppressions } from '../alerts/suppressions.ts';
import { normaliseLine } from '../normalise/line.ts';
import type { NormalisedEvent } from '../normalise/types.ts';
import { insertEvents, type EventToStore, type StoredRef } from '../store/events.ts';
import type { MonitorTables } from '../store/schema.ts';
import { idsCandidate, sigmaCandidate } from './candidates.ts';
import type { DetectionEngine } from './engine-contract.ts';
import { RecentOrgs } from './recent-orgs.ts';

export interface IngestItem {
  id: string;
  type: string;
  line: string;
}

export interface ItemRejected {
  index: number;
  id: string;
  code: string;
  message: string;
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  rejected: ItemRejected[];
  /** Index in the request of each accepted item (the ES endpoint answers per item). */
  acceptedIndexes: number[];
}

/**
 * A batch is normalised, stored and evaluated this many events at a time, in one transaction: the
 * objects of a whole batch of normalised events (5000 from the agent) outlived the young generation,
 * and copying them out of it cost more than making them (GC in a 200k-event bench run: 640-800 ms
 * before, 270-630 ms after).
 */
export const SLICE_EVENTS = 1024;

/** Items `from` .. `to` - 1 of a batch, normalised (or refused). */
type SliceSource = (
  from: number,
  to: number,
) => { ok: Array<EventToStore & { index: number }>; rejected: ItemRejected[] };

export interface PipelineCounters {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  alertsSuppressed: number;
  engineErrors: number;
}

export interface PipelineDeps {
  db: Kysely<MonitorTables>;
  dialect: Dialect;
  engine: DetectionEngine;
  suppressions: Suppressions;
  clock: Clock;
  logger: Logger;
  onAlerts?: (changes: AlertChange[]) => void;
  /** Events stored per organisation, after each batch commits (live views count them). */
  onStored?: (perOrg: Map<string, number>) => void;
}

/**
 * Ingest -> normalise -> store -> detect -> alert. Each batch is one transaction: when it commits
 * the events and the alerts they raised are durable together, and a replayed batch stores and
 * raises nothing again (only newly stored events reach the engine). Batches run one at a time so
 * the engine sees each source's events in order.
 */
export class MonitorPipeline {
  readonly counters: PipelineCounters = {
    accepted: 0,
    duplicates: 0,
    rejected: {},
    alertsSuppressed: 0,
    engineErrors: 0,
  };
  private readonly recent = new RecentOrgs();
  private queue: Promise<unknown> = Promise.resolve();
  /** Batches waiting or being stored: the ingest routes shed load beyond a bound. */
  queued = 0;

  constructor(private readonly deps: PipelineDeps) {}

  /** Resolves once every batch handed in so far is stored (or failed): shutdown waits on it. */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Raw lines of one organisation and gateway (the agent endpoint, the CLI import). */
  ingestLines(org: string, observer: string | undefined, items: IngestItem[]): Promise<IngestOutcome> {
    const now = this.deps.clock.now();
    // Normalised a slice at a time, inside the batch's turn: see SLICE_EVENTS.
    return this.store(items.length, (from, to) => {
      const ok: Array<EventToStore & { index: number }> = [];
      const rejected: ItemRejected[] = [];
      for (let index = from; index < to; index++) {
        const it = items[index] as IngestItem;
        const r = normaliseLine(it.type, it.line, { org, observer, now });
        if (r.ok) ok.push({ org, id: it.id, event: r.event, index });
        else rejected.push({ index, id: it.id, ...r.reject });
      }
      return { ok, rejected };
    });
  }

  /** Events already normalised (the platform's bus events, the ES endpoint's documents). */
  ingestEvents(
    events: Array<{ org: string; id: string; event: NormalisedEvent; index: number }>,
    rejected: ItemRejected[] = [],
  ): Promise<IngestOutcome> {
    return this.store(events.length, (from, to) => ({
      ok: events.slice(from, to),
      rejected: from === 0 ? rejected : [],
    }));
  }

  private store(count: number, slice: SliceSource): Promise<IngestOutcome> {
    this.queued++;
    const run = this.queue.then(() => this.storeNow(count, slice)).finally(() => this.queued--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async storeNow(count: number, slice: SliceSource): Promise<IngestOutcome> {
    const now = this.deps.clock.now();
    let changes: AlertChange[] = [];
    const rejected: ItemRejected[] = [];
    const acceptedIndexes: number[] = [];
    const perOrg = new Map<string, number>();
    let offered = 0;
    const take = (from: number) => {
      const part = slice(from, Math.min(count, from + SLICE_EVENTS));
      for (const r of part.rejected) rejected.push(r);
      offered += part.ok.length;
      return part.ok;
    };
    // The first slice is taken outside, so that a batch of refusals opens no transaction.
    let first: Array<EventToStore & { index: number }> | null = take(0);
    if (first.length > 0 || count > SLICE_EVENTS)
      await this.deps.db.transaction().execute(async (trx) => {
        const byAlert = new Map<string, AlertChange>();
        for (let from = 0; from < count; from += SLICE_EVENTS) {
          const items = first ?? take(from);
          first = null; // let the slice go once stored
          if (items.length === 0) continue;
          const refs = await insertEvents(trx, items, now, this.deps.dialect);
          // Each slice's alerts are written with it: a batch holds at most a slice's candidates (a
          // flood batch raising an alert per event held all 5000 to its end).
          const candidates = this.detect(refs, now);
          if (candidates.length > 0)
            for (const c of await writeAlerts(trx, candidates, now, this.deps.dialect)) mergeChange(byAlert, c);
          for (const r of refs) {
            acceptedIndexes.push(r.item.index);
            perOrg.set(r.item.org, (perOrg.get(r.item.org) ?? 0) + 1);
          }
        }
        changes = [...byAlert.values()];
        await this.deps.suppressions.flushHits(trx);
      });
    const accepted = acceptedIndexes.length;
    const duplicates = offered - accepted;
    this.counters.accepted += accepted;
    this.counters.duplicates += duplicates;
    for (const r of rejected) this.counters.rejected[r.code] = (this.counters.rejected[r.code] ?? 0) + 1;
    if (changes.length > 0) this.deps.onAlerts?.(changes);
    if (accepted > 0) this.deps.onStored?.(perOrg);
    return {
      accepted,
      duplicates,
      rejected: rejected.sort((a, b) => a.index - b.index),
      acceptedIndexes: acceptedIndexes.sort((a, b) => a - b),
    };
  }

  /** Runs the engine over newly stored events in event-time order and collects inbox candidates. */
  private detect(refs: StoredRef[], now: number): AlertCandidate[] {
    const ordered = [...refs].sort((a, b) => a.item.event.timeMs - b.item.event.timeMs);
    const out: AlertCandidate[] = [];
    for (const ref of ordered) this.recent.set(ref.seq, ref.item.org);
    const orgOf = (seq: number) => this.recent.get(seq);
    for (const ref of ordered) {
      const ids = idsCandidate(ref);
      if (ids) this.keep(ids, now, out);
      const e = ref.item.event;
      let matches;
      try {
        matches = this.deps.engine.evaluate({
          id: String(ref.seq),
          timeMs: e.timeMs,
          logsource: e.logsource,
          fields: e.doc,
        });
      } catch (err) {
        // A rule that throws must not lose the event or block the batch: count and move on.
        this.counters.engineErrors++;
        this.deps.logger.warn({ err, seq: ref.seq }, 'sigma engine failed on an event');
        continue;
      }
      for (const m of matches) this.keep(sigmaCandidate(m, ref, orgOf), now, out);
    }
    return out;
  }

  private keep(c: AlertCandidate, now: number, out: AlertCandidate[]): void {
    if (this.deps.suppressions.match(c, now)) this.counters.alertsSuppressed++;
    else out.push(c);
  }
}

/**
 * One change per alert and batch, as when the batch was written at once: the latest state, created
 * if any slice created it, in the order alerts were first touched.
 */
function mergeChange(byAlert: Map<string, AlertChange>, c: AlertChange): void {
  const prev = byAlert.get(c.id);
  byAlert.set(
    c.id,
    prev ? { ...c, created: prev.created || c.created, firstSeen: Math.min(prev.firstSeen, c.firstSeen) } : c,
  );
}
