import { Counter, type Registry } from 'prom-client';
import { securitySubject, type EventBus, type SecurityKind, type Logger } from '../../core/index.ts';
import type { AuditLog } from '../../iam/index.ts';

/** The broker's security event kinds (the catalogue in core lists them). */
export type RefusalKind = Exclude<SecurityKind<'hub'>, 'device-quarantined'>;

export interface Refusal {
  kind: RefusalKind;
  reason: string;
  ip?: string | undefined;
  clientId?: string | undefined;
  actorId?: string | undefined;
  actorName?: string | undefined;
  topic?: string | undefined;
}

/**
 * Every refusal by the broker is counted (Prometheus), audited, and raised on the bus as
 * `security.hub.<kind>` for the monitor. Accounting never blocks or breaks the broker.
 */
export class RefusalReporter {
  private readonly counter: Counter<'kind'>;

  constructor(
    metrics: Registry,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    const name = 'msec_hub_mqtt_refusals_total';
    this.counter =
      (metrics.getSingleMetric(name) as Counter<'kind'> | undefined) ??
      new Counter({
        name,
        help: 'MQTT connections, packets and requests refused by the hub broker, by kind',
        labelNames: ['kind'],
        registers: [metrics],
      });
  }

  report(r: Refusal): void {
    this.counter.inc({ kind: r.kind });
    this.logger.debug({ refusal: r }, 'mqtt refusal');
    const rec = {
      actorId: r.actorId ?? null,
      actorName: r.actorName ?? r.clientId ?? null,
      action: `hub:mqtt:${r.kind}`,
      resource: r.topic ? `topic ${r.topic.slice(0, 200)}` : 'mqtt',
      outcome: 'denied' as const,
      ip: r.ip ?? null,
      detail: { reason: r.reason.slice(0, 300), ...(r.clientId ? { clientId: r.clientId.slice(0, 100) } : {}) },
    };
    // Refused connections of nobody in particular are counted per source and kind (a flood stays one row).
    void (r.actorId ? this.audit.append(rec) : this.audit.anonymous.refuse({ ...rec, actorName: null }, r.kind)).catch(
      (err: unknown) => this.logger.error({ err }, 'audit of an mqtt refusal failed'),
    );
    void this.bus.publish(securitySubject('hub', r.kind), { ...r, at: Date.now() }).catch(() => {});
  }

  count(kind: RefusalKind): Promise<number> {
    return this.counter.get().then((m) => m.values.find((v) => v.labels.kind === kind)?.value ?? 0);
  }
}
