import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MsecError, isMsecError, securitySubject, type EventBus, type SecurityKind } from '../core/index.ts';
import type { Iam, ResourceRef } from '../iam/index.ts';
import { AnonymousLimit, ANONYMOUS_LIMITS } from './anonymous-limit.ts';
import { toMsecError } from './errors.ts';
import { httpStatusOf } from './http-status.ts';
import type { HttpMetrics } from './metrics.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `hub:provider:read` acts on resource type `provider`. */
function resourceTypeOf(action: string): string {
  return action.split(':')[1] ?? action;
}

function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) throw new MsecError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
    return m[1];
  }
  const k = req.headers['x-api-key'];
  return typeof k === 'string' && k.length > 0 ? k : undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by handlers to enrich the audit record (e.g. the user who tried to log in). */
    auditNote?: {
      actorName?: string;
      actorId?: string;
      orgId?: string;
      resource?: string;
      detail?: Record<string, unknown>;
    };
    auditResource?: ResourceRef;
    auditAction?: string;
    /** Authentication and the route-level policy check passed. */
    handlerReached?: boolean;
  }
}

/**
 * Authentication, authorization and accounting for every route:
 * - onRoute refuses any route that is neither public nor bound to a policy action;
 * - onRequest authenticates (before the body is read);
 * - preHandler asks the policy engine (deny by default);
 * - onSend appends mutating and denied requests to the audit log before the reply leaves,
 *   so an acknowledged change is always accounted for.
 */
export function installSecurity(app: FastifyInstance, iam: Iam, metrics: HttpMetrics, bus?: EventBus): void {
  app.decorateRequest('subject', undefined);
  app.decorateRequest('auditNote', undefined);
  app.decorateRequest('auditResource', undefined);
  app.decorateRequest('auditAction', undefined);
  app.decorateRequest('handlerReached', false);
  app.decorateRequest('may', function (this: FastifyRequest, action: string, resource: ResourceRef) {
    return this.subject !== undefined && iam.decide(this.subject, action, resource).allow;
  });
  app.decorateRequest(
    'authorize',
    function (this: FastifyRequest, action: string, resource: ResourceRef, hidden?: Error) {
      this.auditAction = action;
      this.auditResource = resource;
      if (!this.subject) throw new MsecError('UNAUTHENTICATED', 'authentication required');
      const d = iam.decide(this.subject, action, resource);
      if (!d.allow) {
        metrics.denied.inc({ action });
        // Hidden from another organisation's caller who may not even read it (a reader knows it exists).
        if (
          hidden &&
          resource.org !== undefined &&
          resource.org !== this.subject.org &&
          !iam.decide(this.subject, action.replace(/:[^:]+$/, ':read'), resource).allow
        )
          throw hidden;
        throw new MsecError('FORBIDDEN', `not allowed: ${action}`, { details: { reason: d.reason } });
      }
    },
  );

  app.addHook('onRoute', (route) => {
    const url = route.url;
    if (url.startsWith('/docs')) {
      route.config = { ...(route.config as object), security: { public: true } } as typeof route.config;
      return;
    }
    const sec = (route.config as { security?: { public?: boolean; action?: string } } | undefined)?.security;
    if (!sec || (!sec.public && !sec.action)) {
      throw new Error(`route ${String(route.method)} ${url} declares neither security.public nor security.action`);
    }
    // Central policies are checked against the actions routes really perform.
    if (sec.action) iam.policy.declareAction(sec.action);
  });

  const anonymous = new AnonymousLimit(ANONYMOUS_LIMITS);
  const anonymousBudget = (req: FastifyRequest) => {
    // Health probes stay free: they are how an operator sees the flood.
    if (req.routeOptions.url === '/healthz') return;
    if (!anonymous.take(req.ip))
      throw new MsecError('RATE_LIMITED', 'too many unauthenticated requests; slow down', { status: 429 });
  };

  app.addHook('onRequest', async (req) => {
    const sec = req.routeOptions.config.security;
    if (!sec || sec.public) {
      // Public routes still recognise a caller who presents a valid credential.
      const credential = safeBearer(req);
      if (credential) req.subject = await iam.authenticate(credential).catch(() => undefined);
      if (!req.subject) anonymousBudget(req);
      return;
    }
    const credential = bearerOf(req);
    if (!credential) {
      anonymousBudget(req);
      throw new MsecError(
        'UNAUTHENTICATED',
        'authentication required: send Authorization: Bearer <token> or X-API-Key',
      );
    }
    try {
      req.subject = await iam.authenticate(credential);
    } catch (err) {
      anonymousBudget(req);
      const e = isMsecError(err) ? err : new MsecError('TOKEN_INVALID', 'credential is invalid');
      metrics.authFailures.inc({ code: e.code });
      const status = httpStatusOf(e);
      throw status === 401 || status === 403 ? e : new MsecError('TOKEN_INVALID', 'credential is invalid');
    }
  });

  app.addHook('preHandler', async (req) => {
    const sec = req.routeOptions.config.security;
    if (!sec || sec.public || !sec.action) {
      req.handlerReached = true;
      return;
    }
    const subject = req.subject!;
    const resource = sec.resource ? sec.resource(req) : { type: resourceTypeOf(sec.action), org: subject.org };
    req.authorize(sec.action, resource);
    req.handlerReached = true;
  });

  // Accounting of every answered request (reads too): per principal, resource and hour.
  app.addHook('onResponse', async (req, reply) => {
    const s = req.subject;
    const note = req.auditNote;
    iam.usage.record({
      principalId: s?.id ?? note?.actorId ?? null,
      principalName: s?.name ?? note?.actorName ?? null,
      orgId: s?.org ?? note?.orgId ?? null,
      resource: usageResource(req),
      status: reply.statusCode,
      bytesIn: Number(req.headers['content-length']) || 0,
      bytesOut: Number(reply.getHeader('content-length')) || 0,
    });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const status = reply.statusCode;
    const denied = status === 401 || status === 403 || status === 423;
    if (READ_METHODS.has(req.method) && !denied) return payload;
    // Routes that account for themselves: audit here only what never reached their handler.
    if (req.routeOptions.config?.security?.audit === 'handler' && !(denied && !req.handlerReached)) return payload;
    const note = req.auditNote ?? {};
    const s = req.subject;
    if (denied && bus) {
      // Raised for the monitor: brute force, token forgery and probing show up as security events.
      const code = req.errorCode;
      const kind: SecurityKind<'api'> =
        code === 'INVALID_CREDENTIALS'
          ? 'login-failed'
          : status === 423
            ? 'account-locked'
            : status === 401
              ? 'auth-failed'
              : 'access-denied';
      bus
        .publish(securitySubject('api', kind), {
          ip: req.ip,
          actor: note.actorName ?? s?.name ?? null,
          org: s?.org ?? null,
          method: req.method,
          route: req.routeOptions.url ?? null,
          status,
          code: code ?? null,
          requestId: req.id,
        })
        .catch((err: unknown) => req.log.warn({ err }, 'security event not published'));
    }
    try {
      const rec = {
        actorId: note.actorId ?? s?.id ?? null,
        actorName: note.actorName ?? s?.name ?? null,
        orgId: note.orgId ?? s?.org ?? null,
        action:
          req.auditAction ??
          req.routeOptions.config?.security?.action ??
          `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
        resource: note.resource ?? describeResource(req.auditResource) ?? req.url.split('?')[0],
        outcome: denied ? 'denied' : status >= 400 ? 'failed' : 'succeeded',
        status,
        ip: req.ip,
        requestId: req.id,
        detail: note.detail ?? (req.errorCode ? { error: req.errorCode } : undefined),
      } as const;
      // An anonymous refusal (no credential, or one that did not verify) is counted per source
      // and reason, not written one by one: a flood must not bury the log.
      if (denied && !s && !note.actorId) await iam.audit.anonymous.refuse(rec, req.errorCode ?? String(status));
      else await iam.audit.append(rec);
    } catch (err) {
      req.log.error({ err }, 'audit append failed');
      // An unaccounted change must not be acknowledged as success.
      if (status < 400) {
        reply.code(503);
        return JSON.stringify(
          new MsecError(
            'UNAVAILABLE',
            'audit log unavailable; the request was processed but could not be accounted',
          ).toJSON(),
        );
      }
    }
    return payload;
  });
}

/** What a request touched, for accounting: its action's `module:resource`, else its route. */
function usageResource(req: FastifyRequest): string {
  const action = req.auditAction ?? req.routeOptions.config?.security?.action;
  if (action) return action.split(':').slice(0, 2).join(':');
  return req.routeOptions.url ?? 'unrouted';
}

function safeBearer(req: FastifyRequest): string | undefined {
  try {
    return bearerOf(req);
  } catch {
    return undefined;
  }
}

function describeResource(r: ResourceRef | undefined): string | undefined {
  if (!r) return undefined;
  return [r.type, r.org && `org=${r.org}`, r.id && `id=${r.id}`].filter(Boolean).join(' ');
}

export { toMsecError };
