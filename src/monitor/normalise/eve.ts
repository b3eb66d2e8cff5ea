import type { EventColumns, IngestMeta, NormaliseResult } from './types.ts';
import { parseTimestamp, receivedIso, timestampProblem } from './time.ts';

type Json = Record<string, unknown>;

/**
 * ECS event.category / event.type per EVE event_type, after the mapping of Elastic's Suricata
 * integration (ECS 8). Types not listed are still stored (they are real Suricata output),
 * as category `network`, type `info`.
 */
const CATEGORIES: Record<string, { category: string[]; type: string[]; kind?: string }> = {
  alert: { category: ['network', 'intrusion_detection'], type: ['info'], kind: 'alert' },
  drop: { category: ['network', 'intrusion_detection'], type: ['denied'] },
  anomaly: { category: ['network'], type: ['info'] },
  flow: { category: ['network'], type: ['connection'] },
  netflow: { category: ['network'], type: ['connection'] },
  http: { category: ['network', 'web'], type: ['access', 'protocol'] },
  http2: { category: ['network', 'web'], type: ['access', 'protocol'] },
  fileinfo: { category: ['network', 'file'], type: ['info'] },
  smtp: { category: ['network', 'email'], type: ['protocol'] },
  ssh: { category: ['network'], type: ['protocol'] },
  stats: { category: ['host'], type: ['info'], kind: 'metric' },
  frame: { category: ['network'], type: ['info'] },
};

/** The EVE event types Suricata 7/8 writes; anything else is refused as an unknown type. */
export const EVE_EVENT_TYPES = new Set([
  'alert',
  'anomaly',
  'bittorrent-dht',
  'dcerpc',
  'dhcp',
  'dnp3',
  'dns',
  'drop',
  'enip',
  'fileinfo',
  'flow',
  'frame',
  'ftp',
  'ftp_data',
  'http',
  'http2',
  'ike',
  'krb5',
  'ldap',
  'modbus',
  'mqtt',
  'netflow',
  'nfs',
  'pgsql',
  'quic',
  'rdp',
  'rfb',
  'sip',
  'smb',
  'smtp',
  'snmp',
  'ssh',
  'stats',
  'tftp',
  'tls',
  'arp',
  'pop3',
  'websocket',
  'doh2',
  'mdns',
  'ikev2',
  'template',
  'rpc',
  'telnet',
  'sctp',
  'igmp',
  'dnp3_data',
]);

const TECHNIQUE = /^T\d{4}(?:\.\d{3})?$/;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function port(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : null;
}

/** ATT&CK technique ids from an ET-style `alert.metadata` (`mitre_technique_id: ["T1110"]`). */
export function techniquesOf(metadata: unknown): string[] {
  if (!metadata || typeof metadata !== 'object') return [];
  const v = (metadata as Json).mitre_technique_id;
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === 'string' && TECHNIQUE.test(x));
}

/**
 * A parsed EVE record into the common schema. The record is kept whole under `suricata.eve`
 * (alert.metadata included), the ECS fields are derived beside it.
 */
export function normaliseEve(rec: Json, raw: string, meta: IngestMeta): NormaliseResult {
  const eventType = rec.event_type;
  if (typeof eventType !== 'string')
    return { ok: false, reject: { code: 'MONITOR_EVENT_INVALID', message: 'EVE record has no event_type' } };
  if (!EVE_EVENT_TYPES.has(eventType)) {
    return {
      ok: false,
      reject: { code: 'MONITOR_EVENT_TYPE_UNKNOWN', message: `unknown EVE event_type "${eventType.slice(0, 40)}"` },
    };
  }
  const tsText = rec.timestamp;
  const timeMs = typeof tsText === 'string' ? parseTimestamp(tsText) : undefined;
  if (timeMs === undefined)
    return { ok: false, reject: { code: 'MONITOR_EVENT_TIME_INVALID', message: 'EVE record has no valid timestamp' } };
  const problem = timestampProblem(timeMs, meta.now);
  if (problem) return { ok: false, reject: { code: 'MONITOR_EVENT_TIME_INVALID', message: problem } };

  const alert = eventType === 'alert' && rec.alert && typeof rec.alert === 'object' ? (rec.alert as Json) : undefined;
  const map = CATEGORIES[eventType] ?? { category: ['network'], type: ['protocol'] };
  const observer = str(rec.host) ?? meta.observer ?? null;
  const techniques = alert ? techniquesOf(alert.metadata) : [];
  const severity = alert && typeof alert.severity === 'number' ? alert.severity : null;
  const transport = str(rec.proto)?.toLowerCase() ?? null;
  const protocol =
    str(rec.app_proto) ??
    (eventType !== 'flow' && eventType !== 'alert' && eventType !== 'stats' && eventType !== 'anomaly'
      ? eventType
      : null);
  const flowId = typeof rec.flow_id === 'number' || typeof rec.flow_id === 'string' ? String(rec.flow_id) : null;
  const sigId = alert && typeof alert.signature_id === 'number' ? alert.signature_id : null;
  const signature = alert ? str(alert.signature) : null;

  const event: Json = {
    kind: map.kind ?? 'event',
    category: map.category,
    type: alert ? [alert.action === 'blocked' ? 'denied' : 'allowed'] : map.type,
    dataset: `suricata.${eventType}`,
    module: 'suricata',
    action: alert ? (str(alert.category) ?? eventType) : eventType,
    created: receivedIso(meta.now),
  };
  if (severity !== null) event.severity = severity;
  const doc: Json = {
    '@timestamp': new Date(timeMs).toISOString(),
    event,
    observer: { ...(observer ? { name: observer } : {}), type: 'ids', vendor: 'OISF', product: 'Suricata' },
    organization: { id: meta.org },
    suricata: { eve: rec },
  };
  const srcIp = str(rec.src_ip);
  const dstIp = str(rec.dest_ip);
  if (srcIp) doc.source = { ip: srcIp, ...(port(rec.src_port) !== null ? { port: rec.src_port } : {}) };
  if (dstIp) doc.destination = { ip: dstIp, ...(port(rec.dest_port) !== null ? { port: rec.dest_port } : {}) };
  const network: Json = {};
  if (transport) network.transport = transport;
  if (protocol) network.protocol = protocol.toLowerCase();
  if (str(rec.community_id)) network.community_id = rec.community_id;
  if (Object.keys(network).length > 0) doc.network = network;
  if (alert) {
    doc.rule = {
      ...(sigId !== null ? { id: String(sigId) } : {}),
      ...(signature ? { name: signature } : {}),
      ...(str(alert.category) ? { category: alert.category } : {}),
    };
    if (techniques.length > 0) doc.threat = { framework: 'MITRE ATT&CK', technique: { id: techniques } };
  }
  const columns: EventColumns = {
    dataset: eventType,
    severity,
    observer,
    src_ip: srcIp,
    src_port: port(rec.src_port),
    dst_ip: dstIp,
    dst_port: port(rec.dest_port),
    transport,
    protocol: protocol?.toLowerCase() ?? null,
    flow_id: flowId,
    signature,
    signature_id: sigId,
    technique: techniques[0] ?? null,
  };
  return {
    ok: true,
    event: { type: 'eve', timeMs, logsource: { product: 'suricata', service: eventType }, doc, columns, raw },
  };
}
