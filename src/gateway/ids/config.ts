/**
 * The Suricata 7 configuration msec generates, built as data and serialised by the `yaml`
 * library (Suricata wants the `%YAML 1.1` directive). Only what differs from Suricata's own
 * defaults, or what a gateway must be sure of, is spelled out.
 */
import { Document } from 'yaml';
import type { IdsMode } from './rules/types.ts';

export const RULES_FILE = 'msec-iot.rules';

export interface SuricataConfigInput {
  mode: IdsMode;
  homeNet: readonly string[];
  interface?: string;
  sensorName: string;
  /** Folder of msec-iot.rules (absolute). */
  ruleDir: string;
  extraRuleFiles: readonly string[];
  /** Suricata's sysconfdir, for classification.config and reference.config. */
  suricataConfigDir: string;
  logDir: string;
  nfqueue: number;
  /** More EVE record types (e.g. `frame` for protocol debugging). */
  extraEveTypes?: readonly string[];
}

/** Ports the rules name: telnet (incl. Mirai's 2323), CoAP and the IoT services scanners sweep. */
export const PORT_GROUPS = {
  HTTP_PORTS: '80',
  SHELLCODE_PORTS: '!80',
  ORACLE_PORTS: '1521',
  SSH_PORTS: '22',
  DNP3_PORTS: '20000',
  MODBUS_PORTS: '502',
  FILE_DATA_PORTS: '[$HTTP_PORTS,110,143]',
  FTP_PORTS: '21',
  GENEVE_PORTS: '6081',
  VXLAN_PORTS: '4789',
  TEREDO_PORTS: '3544',
  TELNET_PORTS: '[23,2323]',
  MQTT_PORTS: '[1883,8883]',
  COAP_PORTS: '[5683,5684]',
  IOT_PORTS: '[21,22,23,80,81,443,502,554,1883,2323,5555,7547,8080,8081,8443,8883,20000,37215,37777,44818,52869]',
} as const;

/** The EVE record types every msec gateway logs (the monitor's normaliser expects them). */
export const EVE_TYPES = [
  'alert',
  'anomaly',
  'flow',
  'dns',
  'http',
  'tls',
  'ssh',
  'mqtt',
  'modbus',
  'dnp3',
  'stats',
] as const;

function eveTypes(extra: readonly string[]): unknown[] {
  const detailed: Record<string, unknown> = {
    alert: { metadata: true, 'tagged-packets': false },
    anomaly: { enabled: true, types: { decode: true, stream: true, applayer: true } },
    http: { extended: true },
    tls: { extended: true },
    dns: { version: 2 },
    stats: { totals: true, threads: false, deltas: false },
  };
  return [...EVE_TYPES, ...extra.filter((t) => !(EVE_TYPES as readonly string[]).includes(t))].map((t) =>
    detailed[t] ? { [t]: detailed[t] } : t,
  );
}

function addressGroups(homeNet: readonly string[]): Record<string, string> {
  const home = `[${homeNet.join(',')}]`;
  const groups: Record<string, string> = { HOME_NET: home, EXTERNAL_NET: '!$HOME_NET' };
  // Names the ET Open and Suricata rule sets refer to; extra rules fail to load without them.
  for (const g of [
    'HTTP_SERVERS',
    'SMTP_SERVERS',
    'SQL_SERVERS',
    'DNS_SERVERS',
    'TELNET_SERVERS',
    'AIM_SERVERS',
    'DC_SERVERS',
    'DNP3_SERVER',
    'DNP3_CLIENT',
    'MODBUS_CLIENT',
    'MODBUS_SERVER',
    'ENIP_CLIENT',
    'ENIP_SERVER',
  ]) {
    groups[g] = '$HOME_NET';
  }
  return groups;
}

const detectionPorts = (dp: string, sp?: string) => ({ 'detection-ports': { dp, ...(sp ? { sp } : {}) } });

function appLayer(): Record<string, unknown> {
  const on = { enabled: true };
  return {
    protocols: {
      telnet: on,
      ssh: on,
      http: {
        enabled: true,
        libhtp: {
          'default-config': { personality: 'IDS', 'request-body-limit': '100kb', 'response-body-limit': '100kb' },
        },
      },
      tls: { enabled: true, ...detectionPorts('443') },
      dns: { tcp: { enabled: true, ...detectionPorts('53') }, udp: { enabled: true, ...detectionPorts('53') } },
      ftp: on,
      smtp: on,
      ntp: on,
      dhcp: on,
      snmp: on,
      sip: on,
      rfb: on,
      // Suricata 7 leaves these three off; they are why an IoT gateway runs Suricata.
      mqtt: { enabled: true, 'max-msg-length': '1mb' },
      modbus: { enabled: true, ...detectionPorts('502'), 'stream-depth': 0 },
      dnp3: { enabled: true, ...detectionPorts('20000') },
      enip: { enabled: true, ...detectionPorts('44818', '44818') },
    },
  };
}

function capture(input: SuricataConfigInput): Record<string, unknown> {
  const iface = input.interface;
  const out: Record<string, unknown> = {
    'af-packet': [
      ...(iface ? [{ interface: iface, 'cluster-id': 99, 'cluster-type': 'cluster_flow', defrag: true }] : []),
      { interface: 'default' },
    ],
    pcap: [...(iface ? [{ interface: iface }] : []), { interface: 'default' }],
  };
  if (input.mode === 'ips') {
    // Inline through NFQUEUE (`suricata -q N`): fail-open so a saturated engine slows the
    // gateway down instead of cutting the city's devices off.
    out.nfq = { mode: 'accept', 'fail-open': true };
  }
  return out;
}

export function buildSuricataConfig(input: SuricataConfigInput): Record<string, unknown> {
  const sysconf = input.suricataConfigDir;
  return {
    vars: { 'address-groups': addressGroups(input.homeNet), 'port-groups': { ...PORT_GROUPS } },
    'default-log-dir': input.logDir,
    'sensor-name': input.sensorName,
    stats: { enabled: true, interval: 60 },
    // EVE files are reopened on SIGHUP (Suricata does so for every file output), so logrotate
    // and the msec agent's rename/copytruncate handling need nothing more here.
    outputs: [
      {
        'eve-log': {
          enabled: true,
          filetype: 'regular',
          filename: 'eve.json',
          'community-id': true,
          'community-id-seed': 0,
          types: eveTypes(input.extraEveTypes ?? []),
        },
      },
    ],
    logging: {
      'default-log-level': 'notice',
      outputs: [{ console: { enabled: true } }, { file: { enabled: true, level: 'info', filename: 'suricata.log' } }],
    },
    'unix-command': { enabled: 'auto' },
    ...capture(input),
    'host-mode': input.mode === 'ips' ? 'router' : 'sniffer-only',
    'app-layer': appLayer(),
    stream: {
      memcap: '64mb',
      'checksum-validation': true,
      inline: input.mode === 'ips' ? true : 'auto',
      reassembly: { memcap: '256mb', depth: '1mb' },
    },
    detect: { profile: 'medium', 'sgh-mpm-context': 'auto' },
    'default-rule-path': input.ruleDir,
    'rule-files': [RULES_FILE, ...input.extraRuleFiles],
    'classification-file': `${sysconf}/classification.config`,
    'reference-config-file': `${sysconf}/reference.config`,
  };
}

export function renderSuricataYaml(config: Record<string, unknown>, header: string): string {
  const doc = new Document(config, { version: '1.1' });
  doc.directives!.yaml.explicit = true;
  // After the directives: Suricata wants `%YAML 1.1` on the very first line.
  doc.contents!.commentBefore = ` ${header}`;
  return doc.toString({ lineWidth: 0 });
}

/** nftables: hand forwarded traffic to Suricata's queue; `bypass` keeps traffic flowing if it is down. */
export function renderNfqueueRules(queue: number): string {
  return [
    '#!/usr/sbin/nft -f',
    `# msec IPS: send forwarded traffic through Suricata (suricata -c suricata.yaml -q ${queue}).`,
    'table inet msec_ips {',
    '  chain forward {',
    '    type filter hook forward priority 10; policy accept;',
    `    queue num ${queue} bypass`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export function renderLogrotate(logDir: string): string {
  return [
    `${logDir}/eve.json ${logDir}/suricata.log {`,
    '  daily',
    '  rotate 14',
    '  missingok',
    '  compress',
    '  delaycompress',
    '  sharedscripts',
    '  postrotate',
    '    /bin/kill -HUP $(pidof suricata) 2>/dev/null || true',
    '  endscript',
    '}',
    '',
  ].join('\n');
}
