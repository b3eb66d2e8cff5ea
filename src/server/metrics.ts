import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  authFailures: Counter<'code'>;
  denied: Counter<'action'>;
}

/** A registry per platform instance, so several instances (tests, roles) never share counters. */
export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'msec_' });
  return {
    registry,
    requests: new Counter({
      name: 'msec_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'msec_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'msec_auth_failures_total',
      help: 'failed authentications by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    denied: new Counter({
      name: 'msec_authz_denied_total',
      help: 'requests denied by the policy engine',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
