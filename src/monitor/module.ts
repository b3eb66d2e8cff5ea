import { MsecError, serviceKey, type PlatformModule } from '../core/index.ts';
import { IAM } from '../iam/index.ts';
import { alertRoutes } from './api/alert-routes.ts';
import { esRoutes } from './api/es-routes.ts';
import { ingestRoutes } from './api/ingest-routes.ts';
import { queryRoutes } from './api/query-routes.ts';
import { ruleRoutes } from './api/rule-routes.ts';
import { streamRoutes } from './api/stream-routes.ts';
import { monitorDemo } from './demo.ts';
import { MONITOR_POLICY } from './policy.ts';
import { Monitor, type MonitorOptions } from './service.ts';
import { createSigmaEngine, loadRulePack, parseSigmaRules } from './sigma/index.ts';
import { monitorMigrations, type MonitorTables } from './store/schema.ts';

/** Retention from the environment: MSEC_MONITOR_RETENTION_DAYS (default 30), MSEC_MONITOR_MAX_STORED_MB (default 10240). */
export function retentionFromEnv(env: NodeJS.ProcessEnv = process.env): MonitorOptions['retention'] {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new MsecError('CONFIG_INVALID', `${name}: expected a number, got "${raw}"`);
    return Number(raw);
  };
  return {
    maxAgeMs: num('MSEC_MONITOR_RETENTION_DAYS', 30) * 86_400_000,
    maxBytes: num('MSEC_MONITOR_MAX_STORED_MB', 10_240) * 1024 * 1024,
  };
}

/**
 * Threat monitoring: ingest (agent batches, Elasticsearch `_bulk`, the platform's own security
 * events from the bus), normalisation into ECS, storage with retention, Sigma detection and
 * correlation, the alert inbox with triage, notifications and the dashboards' query API.
 */
/** The running monitor (pipeline, alerts, queries), for modules that build on it. */
export const MONITOR = serviceKey<Monitor>('monitor');

export function monitorModule(opts: MonitorOptions = {}): PlatformModule {
  let monitor: Monitor | undefined;
  return {
    name: 'monitor',
    needs: [IAM],
    provides: [MONITOR],
    migrations: monitorMigrations,
    policy: MONITOR_POLICY,
    async start(ctx) {
      monitor = new Monitor(
        {
          db: ctx.store.db.withTables<MonitorTables>(),
          dialect: ctx.store.dialect,
          bus: ctx.bus,
          audit: ctx.access.audit,
          clock: ctx.clock,
          logger: ctx.logger,
          sigma: { parse: parseSigmaRules, pack: loadRulePack, createEngine: () => createSigmaEngine() },
        },
        { retention: opts.retention ?? retentionFromEnv(), ...opts },
      );
      await monitor.start();
      ctx.services.provide(MONITOR, monitor);
    },
    async routes(app, ctx) {
      if (!monitor) throw new Error('the monitor module has not started');
      const iam = ctx.services.get(IAM);
      await ingestRoutes(app, monitor.pipeline);
      await esRoutes(app, { pipeline: monitor.pipeline, iam, clock: ctx.clock, bus: ctx.bus });
      await queryRoutes(app, monitor, iam);
      await alertRoutes(app, monitor, iam);
      await ruleRoutes(app, monitor, iam);
      await streamRoutes(app, monitor, iam);
    },
    async demo(ctx) {
      if (monitor) await monitorDemo(ctx, monitor);
    },
    async stop() {
      await monitor?.stop();
    },
  };
}
