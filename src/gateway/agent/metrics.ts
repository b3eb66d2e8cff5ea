import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { MsecError } from '../../core/errors.ts';
import type { AgentHealth } from './health.ts';

/** Prometheus metrics over the agent's health, read at scrape time. */
export function agentMetrics(health: AgentHealth, refresh: () => void): Registry {
  const registry = new Registry();
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  const labelled = (name: string, help: string, label: string, values: () => Record<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(values())) this.inc({ [label]: k }, v);
      },
    });
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('msec_agent_up', 'Refreshes the health snapshot; always 1', () => (refresh(), 1));
  labelled('msec_agent_lines_read_total', 'Lines read and spooled, by log type', 'type', () => health.read);
  labelled('msec_agent_lines_skipped_total', 'Lines skipped at the source, by reason', 'reason', () => health.skipped);
  counter('msec_agent_events_dropped_total', 'Events dropped by the full-spool policy', () => health.dropped);
  counter('msec_agent_events_accepted_total', 'Events the receiver stored', () => health.accepted);
  counter('msec_agent_events_duplicate_total', 'Events the receiver already had (retries)', () => health.duplicates);
  counter('msec_agent_events_rejected_total', 'Events the receiver refused permanently', () => health.rejected);
  counter('msec_agent_batches_total', 'Batches delivered', () => health.batches);
  counter('msec_agent_retries_total', 'Failed deliveries that were retried', () => health.retries);
  counter('msec_agent_truncations_total', 'Source files found truncated', () => health.truncations);
  counter('msec_agent_spool_disk_full_total', 'Spool writes refused by a full disk', () => health.diskFullErrors);
  gauge('msec_agent_spool_events', 'Events waiting in the spool', () => health.spoolEvents);
  gauge('msec_agent_spool_bytes', 'Bytes waiting in the spool', () => health.spoolBytes);
  gauge('msec_agent_lag_bytes', 'Bytes of source files not yet read', () => health.lagBytes);
  gauge(
    'msec_agent_lag_seconds',
    'Seconds since the last delivery while events wait (0 when none wait)',
    () => health.lagSeconds,
  );
  gauge(
    'msec_agent_last_success_timestamp_seconds',
    'Time of the last delivered batch',
    () => health.lastSuccessMs / 1000,
  );
  return registry;
}

/** Serves GET /metrics on a local port. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"code":"NOT_FOUND","message":"only GET /metrics"}}');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new MsecError('GATEWAY_METRICS_LISTEN_FAILED', `metrics port ${host}:${port}: ${err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}
