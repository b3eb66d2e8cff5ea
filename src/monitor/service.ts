import type { Kysely } from 'kysely';
import {
  newSecret,
  newId,
  type Clock,
  type Dialect,
  type EventBus,
  type Logger,
  type Unsubscribe,
} from '../core/index.ts';
import type { PlatformAccess } from '../core/index.ts';

type AuditLog = PlatformAccess['audit'];
import { AlertFeed } from './alerts/alert-feed.ts';
import { AlertTriage } from './alerts/lifecycle.ts';
import { Suppressions } from './alerts/suppressions.ts';
import { MonitorPipeline } from './detect/pipeline.ts';
import { RuleRegistry, type SigmaFunctions } from './detect/rules.ts';
import { isDuplicateSubject, normalisePlatformEvent, PLATFORM_SUBJECTS } from './normalise/platform.ts';
import { Notifier, type NotifierOptions, type Webhook } from './notify/notifier.ts';
import type { WebhookFormat } from './notify/payload.ts';
import { applyRetention, type RetentionPolicy, type RetentionResult } from './store/retention.ts';
import type { MonitorTables } from './store/schema.ts';

export interface MonitorOptions {
  retention?: RetentionPolicy;
  /** How often retention runs. */
  retentionIntervalMs?: number;
  notifier?: NotifierOptions;
}

export interface MonitorDeps {
  db: Kysely<MonitorTables>;
  dialect: Dialect;
  bus: EventBus;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  sigma: SigmaFunctions;
}

/** The monitor's parts, wired: what routes, the CLI and the demo use. */
export class Monitor {
  readonly suppressions: Suppressions;
  readonly rules: RuleRegistry;
  readonly pipeline: MonitorPipeline;
  readonly triage: AlertTriage;
  readonly notifier: Notifier;
  /** Alert and event changes for live views (server-sent events). */
  readonly feed = new AlertFeed();
  readonly db: Kysely<MonitorTables>;
  readonly dialect: Dialect;
  private webhooks: Webhook[] = [];
  private unsubscribe: Unsubscribe | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<unknown> = Promise.resolve();
  lastRetention: RetentionResult | undefined;

  constructor(
    private readonly deps: MonitorDeps,
    private readonly opts: MonitorOptions = {},
  ) {
    this.db = deps.db;
    this.dialect = deps.dialect;
    this.suppressions = new Suppressions(deps.db);
    this.rules = new RuleRegistry(deps.db, deps.sigma, deps.sigma.createEngine(), deps.clock);
    this.notifier = new Notifier(() => this.webhooks, deps.clock, deps.logger, opts.notifier);
    this.pipeline = new MonitorPipeline({
      db: deps.db,
      dialect: deps.dialect,
      engine: this.rules.engine,
      suppressions: this.suppressions,
      clock: deps.clock,
      logger: deps.logger,
      onAlerts: (changes) => {
        this.notifier.offer(changes);
        for (const c of changes) this.feed.alertsChanged(c.org, [c.id]);
      },
      onStored: (perOrg) => perOrg.forEach((n, org) => this.feed.eventsStored(org, n)),
    });
    this.triage = new AlertTriage(deps.db, deps.audit, deps.clock, (a) => this.feed.alertsChanged(a.org_id, [a.id]));
  }

  get audit(): AuditLog {
    return this.deps.audit;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  async start(): Promise<void> {
    await this.rules.start();
    for (const b of this.rules.broken)
      this.deps.logger.error(
        { set: b.set, error: b.message },
        'stored monitor rule set no longer parses: left disabled',
      );
    await this.suppressions.reload();
    await this.reloadWebhooks();
    // The platform's own security events: normalised and stored like any other event.
    let n = 0;
    const unsubs = PLATFORM_SUBJECTS.map((pattern) =>
      this.deps.bus.subscribe(
        pattern,
        async (ev) => {
          if (isDuplicateSubject(ev.subject)) return;
          const event = normalisePlatformEvent(ev.subject, ev.at, ev.data, this.deps.clock.now());
          const id = `bus:${ev.subject}:${ev.at}:${++n}:${newId().slice(0, 8)}`;
          await this.pipeline
            .ingestEvents([{ org: String((event.doc.organization as { id: string }).id), id, event, index: 0 }])
            .catch((err: unknown) => {
              this.deps.logger.error({ err, subject: ev.subject }, 'platform security event not stored');
            });
        },
        { queue: 'monitor-security-events' },
      ),
    );
    this.unsubscribe = () => unsubs.forEach((u) => u());
    const { retention } = this.opts;
    if (retention && (retention.maxAgeMs !== undefined || retention.maxBytes !== undefined)) {
      this.retentionTimer = setInterval(() => void this.runRetention(), this.opts.retentionIntervalMs ?? 60_000);
      this.retentionTimer.unref();
    }
  }

  /** One retention sweep (also run on a timer); sweeps never overlap. */
  runRetention(policy: RetentionPolicy | undefined = this.opts.retention): Promise<RetentionResult | undefined> {
    if (!policy) return Promise.resolve(undefined);
    const run = this.retentionRun.then(() =>
      applyRetention(this.deps.db, policy, this.deps.clock.now(), this.deps.dialect),
    );
    this.retentionRun = run.then(
      (r) => {
        this.lastRetention = r;
      },
      (err: unknown) => this.deps.logger.error({ err }, 'monitor retention failed'),
    );
    return run;
  }

  async reloadWebhooks(): Promise<void> {
    const rows = await this.deps.db.selectFrom('monitor_webhooks').selectAll().where('enabled', '=', 1).execute();
    this.webhooks = rows.map((r) => ({
      id: r.id,
      org: r.org_id,
      url: r.url,
      format: r.format,
      secret: r.secret,
      minSeverity: r.min_severity,
      repeatMs: Number(r.repeat_ms),
    }));
  }

  async addWebhook(
    org: string,
    input: { url: string; format: WebhookFormat; minSeverity: number; repeatMs: number; secret?: string | undefined },
  ): Promise<Webhook> {
    const hook: Webhook = {
      id: newId('wh'),
      org,
      url: input.url,
      format: input.format,
      secret: input.secret ?? newSecret(32),
      minSeverity: input.minSeverity,
      repeatMs: input.repeatMs,
    };
    await this.deps.db
      .insertInto('monitor_webhooks')
      .values({
        id: hook.id,
        org_id: org,
        url: hook.url,
        format: hook.format,
        secret: hook.secret,
        min_severity: hook.minSeverity,
        repeat_ms: hook.repeatMs,
        enabled: 1,
        created_at: this.deps.clock.now(),
      })
      .execute();
    await this.reloadWebhooks();
    return hook;
  }

  async removeWebhook(id: string): Promise<void> {
    await this.deps.db.deleteFrom('monitor_webhooks').where('id', '=', id).execute();
    await this.reloadWebhooks();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.pipeline.idle();
    await this.retentionRun;
    await this.notifier.stop();
    this.feed.stop();
  }
}
