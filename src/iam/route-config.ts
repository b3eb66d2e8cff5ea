import type { FastifyRequest } from 'fastify';
import type { ResourceRef } from './policy.ts';
import type { Subject } from './subject.ts';

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
