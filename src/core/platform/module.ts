/**
 * The platform contract: what a module is, what it is handed at start, and how its routes declare
 * their security. `startPlatform` (server) orders modules by what they provide and need.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { EventBus } from '../bus/bus.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PlatformKey } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { ModuleMigration } from '../storage/migrate.ts';
import type { Store } from '../storage/store.ts';
import type { PlatformAccess, PolicyStatement, ResourceRef, Subject } from './access.ts';
import type { AnyServiceKey, ServiceRegistry } from './services.ts';

/** What the platform hands every module. */
export interface ModuleContext {
  config: Config;
  store: Store;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  /** Policy decisions, audit, credential checks. */
  access: PlatformAccess;
  platformKey: PlatformKey;
  metrics: Registry;
  /** Typed services: `get` what the module `needs`, `find` what it `uses`, `provide` what it `provides`. */
  services: ServiceRegistry;
  /** The HTTP API's base URL once it listens ('' before, or when it does not listen): for demos and self-calls. */
  serverUrl(): string;
}

/**
 * A module plugs into the platform: its tables, policy statements, API routes (mounted under
 * /api/v1), the services it provides and needs, and its lifecycle. Modules never import the server.
 */
export interface PlatformModule {
  name: string;
  /** Services this module provides from start(); no two modules may provide the same key. */
  provides?: readonly AnyServiceKey[];
  /** Services it cannot start without: their providers start first; a missing one stops start-up. */
  needs?: readonly AnyServiceKey[];
  /** Services it uses when present: their providers (if any run) start first. */
  uses?: readonly AnyServiceKey[];
  migrations?: ModuleMigration[];
  policy?: PolicyStatement[];
  start?(ctx: ModuleContext): Promise<void>;
  routes?(app: FastifyInstance, ctx: ModuleContext): Promise<void>;
  /** Runs with `msec up --demo` once everything started. */
  demo?(ctx: ModuleContext): Promise<void>;
  /** Flushes pending work; called in reverse start order at shutdown. */
  stop?(): Promise<void>;
}

/**
 * Every HTTP route declares either `public: true` or the action it performs; the server refuses
 * to register a route that declares neither, so no route escapes the policy engine.
 */
export interface RouteSecurity {
  public?: boolean;
  action?: string;
  /** The resource the action applies to; defaults to `{ type: <action's resource>, org: subject.org }`. */
  resource?: (req: FastifyRequest) => ResourceRef;
  /**
   * 'handler': the route accounts for itself (e.g. reading ingest audits each refusal with its
   * reason; accepted readings go to history and the ledger, not the audit log). Denials by the
   * policy engine and failed authentication are still audited by the server.
   */
  audit?: 'auto' | 'handler';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    security?: RouteSecurity;
  }
  interface FastifyRequest {
    subject?: Subject;
    /**
     * Object-level check inside a handler, once the object is loaded. `hidden`: what a missing
     * object answers; thrown instead of FORBIDDEN when the object belongs to another organisation,
     * so its existence is not disclosed.
     */
    authorize(action: string, resource: ResourceRef, hidden?: Error): void;
    /** Whether the policy allows, without throwing, auditing or counting a denial. */
    may(action: string, resource: ResourceRef): boolean;
  }
}
