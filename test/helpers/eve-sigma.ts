/**
 * A stand-in for the monitor's normaliser in the Sigma suites: an EVE record -> the SigmaEvent shape
 * of CONTRACTS.md section 2 (logsource product suricata + service <event_type>, ECS field names, the
 * original record under suricata.eve). It maps only the fields the contract names; the real
 * normaliser lives in the monitor module and is tested there.
 */
import type { SigmaEvent } from '../../src/monitor/sigma/index.ts';

type Eve = Record<string, unknown> & { event_type?: string; timestamp?: string };

function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function eveToSigmaEvent(rec: Eve, id: string, where: { org?: string; observer?: string } = {}): SigmaEvent {
  const alert = rec['alert'] as Record<string, unknown> | undefined;
  const proto = typeof rec['proto'] === 'string' ? (rec['proto'] as string).toLowerCase() : undefined;
  const fields =
    compact({
      '@timestamp': rec.timestamp,
      event: compact({
        kind: rec.event_type === 'alert' ? 'alert' : 'event',
        severity: alert?.['severity'],
        dataset: `suricata.${rec.event_type}`,
      }),
      source: compact({ ip: rec['src_ip'], port: rec['src_port'] }),
      destination: compact({ ip: rec['dest_ip'], port: rec['dest_port'] }),
      network: compact({ transport: proto, protocol: rec['app_proto'], community_id: rec['community_id'] }),
      rule: alert
        ? compact({ id: String(alert['signature_id']), name: alert['signature'], category: alert['category'] })
        : undefined,
      observer: where.observer ? { name: where.observer } : undefined,
      organization: where.org ? { id: where.org } : undefined,
      suricata: { eve: rec },
    }) ?? {};
  const timeMs = Date.parse(String(rec.timestamp));
  return {
    id,
    timeMs: Number.isFinite(timeMs) ? timeMs : 0,
    logsource: { product: 'suricata', service: String(rec.event_type) },
    fields,
  };
}

/** A platform security event (logsource product msec) in the contract's shape. */
export function platformEvent(
  id: string,
  timeMs: number,
  service: string,
  category: string,
  fields: Record<string, unknown>,
): SigmaEvent {
  return {
    id,
    timeMs,
    logsource: { product: 'msec', service, category },
    fields: { '@timestamp': new Date(timeMs).toISOString(), event: { kind: 'event', action: category }, ...fields },
  };
}
