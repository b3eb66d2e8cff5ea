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
 * Objects every event of one organisation or gateway shares. The ECS document is read-only once
 * built (the engine and the API only read it), so these need not be allocated per event: at
 * tens of thousands of events a second the allocations, not the copying, are the cost.
 */
const orgObjects = new Map<string, Json>();
const observerObjects = new Map<string | null, Json>();
const SHARED_MAX = 4096;

function shared<K>(map: Map<K, Json>, key: K, make: () => Json): Json {
  let o = map.get(key);
  if (!o) {
    if (map.size >= SHARED_MAX) map.clear();
    o = Object.freeze(make());
    map.set(key, o);
  }
  return o;
}

const orgObject = (org: string) => shared(orgObjects, org, () => ({ id: org }));
const observerObject = (name: string | null) =>
  shared(observerObjects, name, () =>
    name
      ? { name, type: 'ids', vendor: 'OISF', product: 'Suricata' }
      : { type: 'ids', vendor: 'OISF', product: 'Suricata' },
  );

/**
 * `@timestamp` as `toISOString` writes it, with the text up to the second cached: events arrive in
 * bursts of the same second, and a Date per event was a tenth of the normaliser's time.
 */
let isoSecond = NaN;
let isoPrefix = '';
function isoOf(timeMs: number): string {
  const second = Math.floor(timeMs / 1000);
  if (second !== isoSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years outside 0000-9999 are written with a sign and six digits: no fixed prefix.
    if (iso.length !== 24) return new Date(timeMs).toISOString();
    isoSecond = second;
    isoPrefix = iso.slice(0, 20);
  }
  const ms = timeMs - isoSecond * 1000;
  return `${isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

const LOGSOURCES = new Map<string, { product: string; service: string }>();
function logsourceOf(eventType: string): { product: string; service: string } {
  let ls = LOGSOURCES.get(eventType);
  if (!ls) LOGSOURCES.set(eventType, (ls = Object.freeze({ product: 'suricata', service: eventType })));
  return ls;
}

/**
 * Strings every event of a kind shares (`TCP` -> `tcp`, `suricata.flow`), made once and looked up by
 * the record's own string: a new string per event and field adds up at ingest rates. Few distinct
 * values occur; the caches are bounded anyway.
 */
function cachedString(map: Map<string, string>, key: string, make: (k: string) => string): string {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= SHARED_MAX) map.clear();
    map.set(key, (v = make(key)));
  }
  return v;
}
const LOWER = new Map<string, string>();
const DATASETS = new Map<string, string>();
const toLower = (k: string): string => k.toLowerCase();
const toDataset = (k: string): string => `suricata.${k}`;
const lower = (s: string): string => (s.length > 32 ? s.toLowerCase() : cachedString(LOWER, s, toLower));
const datasetOf = (eventType: string): string => cachedString(DATASETS, eventType, toDataset);

const ALLOWED = Object.freeze(['allowed']);
const DENIED = Object.freeze(['denied']);
const DEFAULT_MAP: { category: string[]; type: string[]; kind?: string } = {
  category: ['network'],
  type: ['protocol'],
};

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
  const map = CATEGORIES[eventType] ?? DEFAULT_MAP;
  const observer = str(rec.host) ?? meta.observer ?? null;
  const severity = alert && typeof alert.severity === 'number' ? alert.severity : null;
  const proto = str(rec.proto);
  const transport = proto === null ? null : lower(proto);
  const appProto = str(rec.app_proto);
  const protocolRaw =
    appProto ??
    (eventType !== 'flow' && eventType !== 'alert' && eventType !== 'stats' && eventType !== 'anomaly'
      ? eventType
      : null);
  const protocol = protocolRaw === null ? null : lower(protocolRaw);
  const flowId = typeof rec.flow_id === 'number' || typeof rec.flow_id === 'string' ? String(rec.flow_id) : null;
  const srcIp = str(rec.src_ip);
  const dstIp = str(rec.dest_ip);
  const srcPort = port(rec.src_port);
  const dstPort = port(rec.dest_port);

  const event: Json = {
    kind: map.kind ?? 'event',
    category: map.category,
    type: alert ? (alert.action === 'blocked' ? DENIED : ALLOWED) : map.type,
    dataset: datasetOf(eventType),
    module: 'suricata',
    action: alert ? (str(alert.category) ?? eventType) : eventType,
    created: receivedIso(meta.now),
  };
  if (severity !== null) event.severity = severity;
  const doc: Json = {
    '@timestamp': isoOf(timeMs),
    event,
    observer: observerObject(observer),
    organization: orgObject(meta.org),
    suricata: { eve: rec },
  };
  if (srcIp) doc.source = srcPort !== null ? { ip: srcIp, port: srcPort } : { ip: srcIp };
  if (dstIp) doc.destination = dstPort !== null ? { ip: dstIp, port: dstPort } : { ip: dstIp };
  const communityId = str(rec.community_id);
  if (transport || protocol || communityId) {
    const network: Json = {};
    if (transport) network.transport = transport;
    if (protocol) network.protocol = protocol;
    if (communityId) network.community_id = communityId;
    doc.network = network;
  }
  let sigId: number | null = null;
  let signature: string | null = null;
  let technique: string | null = null;
  if (alert) {
    sigId = typeof alert.signature_id === 'number' ? alert.signature_id : null;
    signature = str(alert.signature);
    const category = str(alert.category);
    const rule: Json = {};
    if (sigId !== null) rule.id = String(sigId);
    if (signature) rule.name = signature;
    if (category) rule.category = category;
    doc.rule = rule;
    const techniques = techniquesOf(alert.metadata);
    if (techniques.length > 0) {
      doc.threat = { framework: 'MITRE ATT&CK', technique: { id: techniques } };
      technique = techniques[0]!;
    }
  }
  const columns: EventColumns = {
    dataset: eventType,
    severity,
    observer,
    src_ip: srcIp,
    src_port: srcPort,
    dst_ip: dstIp,
    dst_port: dstPort,
    transport,
    protocol,
    flow_id: flowId,
    signature,
    signature_id: sigId,
    technique,
  };
  return { ok: true, event: { type: 'eve', timeMs, logsource: logsourceOf(eventType), doc, columns, raw } };
}
