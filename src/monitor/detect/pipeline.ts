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
    const ok: Array<EventToStore & { index: number }> = [];
    const rejected: ItemRejected[] = [];
    items.forEach((it, index) => {
      const r = normaliseLine(it.type, it.line, { org, observer, now });
      if (r.ok) ok.push({ org, id: it.id, event: r.event, index });
      else rejected.push({ index, id: it.id, ...r.reject });
    });
    return this.store(ok, rejected);
  }

  /** Events already normalised (the platform's bus events, the ES endpoint's documents). */
  ingestEvents(
    events: Array<{ org: string; id: string; event: NormalisedEvent; index: number }>,
    rejected: ItemRejected[] = [],
  ): Promise<IngestOutcome> {
    return this.store(events, rejected);
  }

  private store(items: Array<EventToStore & { index: number }>, rejected: ItemRejected[]): Promise<IngestOutcome> {
    this.queued++;
    const run = this.queue.then(() => this.storeNow(items, rejected)).finally(() => this.queued--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async storeNow(
    items: Array<EventToStore & { index: number }>,
    rejected: ItemRejected[],
  ): Promise<IngestOutcome> {
    const now = this.deps.clock.now();
    let changes: AlertChange[] = [];
    const stored =
      items.length === 0
        ? []
        : await this.deps.db.transaction().execute(async (trx) => {
            const refs = await insertEvents(trx, items, now, this.deps.dialect);
            const candidates = this.detect(refs, now);
            changes = await writeAlerts(trx, candidates, now);
            await this.deps.suppressions.flushHits(trx);
            return refs;
          });
    const storedItems = new Set(stored.map((r) => r.item));
    const acceptedIndexes = items.filter((i) => storedItems.has(i)).map((i) => i.index);
    const duplicates = items.length - stored.length;
    this.counters.accepted += stored.length;
    this.counters.duplicates += duplicates;
    for (const r of rejected) this.counters.rejected[r.code] = (this.counters.rejected[r.code] ?? 0) + 1;
    if (changes.length > 0) this.deps.onAlerts?.(changes);
    if (stored.length > 0 && this.deps.onStored) {
      const perOrg = new Map<string, number>();
      for (const r of stored) perOrg.set(r.item.org, (perOrg.get(r.item.org) ?? 0) + 1);
      this.deps.onStored(perOrg);
    }
    return {
      accepted: stored.length,
      duplicates,
      rejected: rejected.sort((a, b) => a.index - b.index),
      acceptedIndexes,
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
