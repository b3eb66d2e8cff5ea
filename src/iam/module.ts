import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Clock, Config, EventBus, Logger, ModuleMigration, PlatformKey, Store } from '../core/index.ts';
import type { Iam } from './iam.ts';
import type { PolicyStatement } from './policy.ts';

/** What the platform hands every feature module. */
export interface ModuleContext {
  config: Config;
  store: Store;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  iam: Iam;
  platformKey: PlatformKey;
  metrics: Registry;
  /** Other modules' public services by module name, filled as modules start. */
  services: Map<string, unknown>;
}

/**
 * A feature module plugs into the platform: its tables, policy statements, API routes (mounted
 * under /api/v1) and lifecycle. The server wires the list; modules never import the server.
 */
export interface PlatformModule {
  name: string;
  migrations?: ModuleMigration[];
  policy?: PolicyStatement[];
  start?(ctx: ModuleContext): Promise<void>;
  routes?(app: FastifyInstance, ctx: ModuleContext): Promise<void>;
  /** Runs with `msec up --demo` once everything started. */
  demo?(ctx: ModuleContext): Promise<void>;
  /** Flushes pending work; called in reverse start order at shutdown. */
  stop?(): Promise<void>;
}
