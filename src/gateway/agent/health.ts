import type { LineType, SkipReason } from './lines.ts';

/** The agent's own counters and state: the source of the metrics and of the status file. */
export class AgentHealth {
  readonly startedMs = Date.now();
  read: Record<LineType, number> = { eve: 0, auth: 0, syslog: 0, json: 0 };
  skipped: Record<SkipReason, number> = { huge: 0, binary: 0, not_json: 0, empty: 0 };
  /** Dropped by the full-spool policy. */
  dropped = 0;
  accepted = 0;
  duplicates = 0;
  /** Refused by the receiver per item (permanent), or alone too large / malformed for it. */
  rejected = 0;
  batches = 0;
  retries = 0;
  truncations = 0;
  spoolFullEpisodes = 0;
  diskFullErrors = 0;
  lastSuccessMs = 0;
  lastError: { code: string; message: string; atMs: number } | undefined;
  /** The wire form batches go in: `json` after the receiver answered 415 to NDJSON (docs/monitor.md 1.1). */
  wireForm: 'ndjson' | 'json' = 'ndjson';
  /** Filled by the agent when a snapshot is taken. */
  spoolEvents = 0;
  spoolBytes = 0;
  lagBytes = 0;
  /** Age of the oldest unshipped event, by when it entered the spool (0 when the spool is empty). */
  lagSeconds = 0;

  countSkipped(skipped: Partial<Record<SkipReason, number>>): void {
    for (const [k, v] of Object.entries(skipped) as [SkipReason, number][]) this.skipped[k] += v;
  }

  error(code: string, message: string): void {
    this.lastError = { code, message, atMs: Date.now() };
  }

  snapshot(): Record<string, unknown> {
    return {
      startedAt: new Date(this.startedMs).toISOString(),
      now: new Date().toISOString(),
      read: this.read,
      skipped: this.skipped,
      dropped: this.dropped,
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected: this.rejected,
      batches: this.batches,
      retries: this.retries,
      truncations: this.truncations,
      spoolFullEpisodes: this.spoolFullEpisodes,
      diskFullErrors: this.diskFullErrors,
      spool: { events: this.spoolEvents, bytes: this.spoolBytes },
      lag: { bytes: this.lagBytes, seconds: this.lagSeconds },
      lastSuccess: this.lastSuccessMs ? new Date(this.lastSuccessMs).toISOString() : null,
      wireForm: this.wireForm,
      lastError: this.lastError ? { ...this.lastError, at: new Date(this.lastError.atMs).toISOString() } : null,
    };
  }
}
