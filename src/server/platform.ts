import type { FastifyInstance } from 'fastify';
import {
  ensurePrivateDir,
  loadOrCreatePlatformKey,
  createLogger,
  migrate,
  openStore,
  MemoryBus,
  Services,
  startOrder,
  systemClock,
  type Clock,
  type Config,
  type Logger,
  type Store,
  type EventBus,
} from '../core/index.ts';
import { IAM, Iam, auditSettingsFromEnv, bootstrapAdmin, iamMigrations } from '../iam/index.ts';
import type { ModuleContext, PlatformModule } from '../core/index.ts';
import { buildApp } from './app.ts';
import type { ServerContext } from './context.ts';
import { createHttpMetrics } from './metrics.ts';

export interface Platform {
  /** The platform's context: its services unscoped, and IAM itself. */
  ctx: ServerContext;
  app: FastifyInstance;
  /** Base URL the HTTP API listens on (after listen). */
  url: string;
  /** Path of the admin credential file if this start created it. */
  adminCredentialFile?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  modules?: PlatformModule[];
  logger?: Logger;
  clock?: Clock;
  store?: Store;
  bus?: EventBus;
  /** Do not bind a port (tests use app.inject). */
  listen?: boolean;
}

/**
 * Starts the platform: data directory, keys, store and migrations, IAM bootstrap, modules,
 * then the HTTP API. close() stops accepting requests, lets in-flight ones finish, stops
 * modules in reverse order (flushing their pending writes) and closes the store last.
 */
export async function startPlatform(opts: StartOptions): Promise<Platform> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  // Refuses a missing need, a key provided twice or a circle before anything is opened.
  const modules = startOrder(opts.modules ?? [], [IAM.id]);
  ensurePrivateDir(config.dataDir);
  const { key, created: keyCreated, path: keyPath } = loadOrCreatePlatformKey(config.dataDir);
  if (keyCreated) logger.info({ path: keyPath }, 'created platform signing key');
  const store = opts.store ?? (await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }));
  const onBusError = (err: unknown, ev?: { subject: string }) =>
    logger.error({ err, subject: ev?.subject }, 'event handler failed');
  const bus =
    opts.bus ??
    (config.natsUrl
      ? await (
          await import('../core/bus/nats.ts')
        ).NatsBus.connect({
          url: config.natsUrl,
          ...(config.natsPrefix ? { prefix: config.natsPrefix } : {}),
          onError: onBusError,
        })
      : new MemoryBus(onBusError));
  const applied = await migrate(store, [...iamMigrations, ...modules.flatMap((m) => m.migrations ?? [])]);
  if (applied.length) logger.info({ applied, store: store.description }, 'applied migrations');

  const iam = new Iam({
    store,
    key,
    clock,
    auth: config.auth,
    bus,
    refusalWindowMs: auditSettingsFromEnv(process.env, { demo: config.demo }).refusalWindowMs,
    onUsageError: (err) => logger.warn({ err }, 'request accounting not stored; kept for the next flush'),
  });
  await iam.start();
  const boot = await bootstrapAdmin(iam, config.dataDir);
  if (boot)
    logger.warn(
      { credentialFile: boot.credentialFile },
      'created the first admin; its credential is in this file (readable only by you)',
    );

  const httpMetrics = createHttpMetrics();
  const services = new Services();
  services.provide(IAM, iam);
  let listening = '';
  const ctx: ServerContext = {
    serverUrl: () => listening,
    config,
    store,
    bus,
    logger,
    clock,
    access: iam,
    iam,
    platformKey: key,
    metrics: httpMetrics.registry,
    services,
  };
  // Each module sees the registry through what it declared: an undeclared lookup is an error.
  const contextOf = new Map(
    modules.map((m): [PlatformModule, ModuleContext] => [
      m,
      {
        ...ctx,
        services: services.scoped(m.name, { provides: m.provides ?? [], needs: m.needs ?? [], uses: m.uses ?? [] }),
      },
    ]),
  );
  for (const m of modules) if (m.policy) iam.policy.add(m.policy);
  const started: PlatformModule[] = [];
  const stopModules = async () => {
    for (const m of [...started].reverse()) {
      try {
        await m.stop?.();
      } catch (err) {
        logger.error({ err, module: m.name }, 'module failed to stop cleanly');
      }
    }
  };
  // A start that fails half-way (a module, or a port already taken) closes what it opened, so
  // `msec up` exits with its error instead of running on without its HTTP API.
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let url = '';
  try {
    for (const m of modules) {
      // A module that fails half-way is stopped too: stop() closes whatever its start opened.
      started.push(m);
      await m.start?.(contextOf.get(m)!);
    }
    app = await buildApp({ ctx, httpMetrics, modules, contextOf: (m) => contextOf.get(m)! });
    if (opts.listen !== false) {
      url = await app.listen({ host: config.host, port: config.port });
      listening = url;
      logger.info({ url, store: store.description }, 'msec is up');
    } else {
      await app.ready();
    }
  } catch (err) {
    await app?.close().catch(() => undefined);
    await stopModules();
    await iam.stop();
    await bus.close();
    if (!opts.store) await store.close();
    throw err;
  }
  const server = app;

  if (config.demo) {
    for (const m of started) {
      if (!m.demo) continue;
      try {
        await m.demo(contextOf.get(m)!);
        logger.info({ module: m.name }, 'demo running');
      } catch (err) {
        logger.error({ err, module: m.name }, 'demo failed to start');
      }
    }
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // In-flight requests finish; their keep-alive connections would then idle for up to 72 s
      // and hold close() open, so close each one as soon as it goes idle.
      const sweep = setInterval(() => server.server.closeIdleConnections(), 50);
      try {
        await server.close();
      } finally {
        clearInterval(sweep);
      }
      await stopModules();
      await iam.stop();
      await bus.close();
      if (!opts.store) await store.close();
    })());

  return { ctx, app: server, url, ...(boot ? { adminCredentialFile: boot.credentialFile } : {}), close };
}
