/**
 * Realistic Suricata EVE JSON lines for `msec up --demo`: one attack episode per call (alert
 * records carrying our real sids, signatures and MITRE metadata, plus the flow and protocol
 * records Suricata writes around them), as a gateway in Santander or Fujisawa would ship them.
 */
import { IOT_RULES, RULE_FAMILIES, type IotRule, type RuleFamily } from '../ids/rules/index.ts';
import { PORT_GROUPS } from '../ids/config.ts';
import { ATTACKER_POOL, DEMO_CITIES, type DemoCity } from './cities.ts';
import { communityId } from './community-id.ts';

export interface DemoEveOptions {
  city: keyof typeof DEMO_CITIES | DemoCity;
  sensor: string;
  now: number | Date;
  rng: () => number;
  family?: RuleFamily;
}

type Proto = 'TCP' | 'UDP' | 'ICMP';
type Rec = Record<string, unknown>;

/** Suricata's category text for the classtypes the ruleset uses (classification.config). */
const CATEGORY: Record<string, string> = {
  'unsuccessful-user': 'Unsuccessful User Privilege Gain',
  'attempted-admin': 'Attempted Administrator Privilege Gain',
  'successful-admin': 'Successful Administrator Privilege Gain',
  'trojan-activity': 'A Network Trojan was detected',
  'attempted-recon': 'Attempted Information Leak',
  'attempted-dos': 'Attempted Denial of Service',
  'network-scan': 'Detection of a Network Scan',
  'protocol-command-decode': 'Generic Protocol Command Decode',
};

/** Deterministic PRNG (mulberry32) for reproducible demos and tests. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length) % xs.length]!;
const int = (rng: () => number, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** Suricata's timestamp form: microseconds and a +0000 offset. */
export function eveTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_, m: string) => `.${m}${String(Math.floor((ms % 1) * 1000)).padStart(3, '0')}+0000`);
}

function portsOf(group: string): number[] {
  const text = group.startsWith('$') ? ((PORT_GROUPS as Record<string, string>)[group.slice(1)] ?? '') : group;
  return text
    .replace(/[[\]]/g, '')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** The device's service port the rule is about. */
function servicePort(rule: IotRule, rng: () => number): number {
  const byProto: Record<string, number> = { mqtt: 1883, modbus: 502, dnp3: 20000, http: 80 };
  if (byProto[rule.header.proto]) return byProto[rule.header.proto]!;
  const group = rule.header.src === '$HOME_NET' ? rule.header.srcPorts : rule.header.dstPorts;
  const ports = portsOf(group);
  return ports.length ? pick(rng, ports) : pick(rng, portsOf('$IOT_PORTS'));
}

/** Whether Suricata raises this alert on a packet the device sends (a reply), not the attacker's. */
function alertFromDevice(rule: IotRule): boolean {
  return rule.header.src === '$HOME_NET' || rule.options.some(([k, v]) => k === 'mqtt.type' && v === 'CONNACK');
}

function transport(rule: IotRule): Proto {
  return rule.header.proto === 'udp' ? 'UDP' : rule.header.proto === 'icmp' ? 'ICMP' : 'TCP';
}

function appProto(rule: IotRule, port: number): string | undefined {
  if (['mqtt', 'modbus', 'dnp3', 'http'].includes(rule.header.proto)) return rule.header.proto;
  if (rule.family === 'mirai' || (rule.family === 'bruteforce' && port !== 22)) return 'telnet';
  if (port === 22 && rule.family === 'bruteforce') return 'ssh';
  return undefined;
}

/** How many flows the attack makes before the rule's threshold is crossed (1 when unthresholded). */
function flowsBehind(rule: IotRule): number {
  const t = rule.options.find(([k]) => k === 'threshold')?.[1];
  const count = t ? Number(/count (\d+)/.exec(t)?.[1] ?? 1) : 1;
  return Math.min(count, 25); // a demo does not need all 500 SYNs of a flood
}

function protocolRecord(rule: IotRule, rng: () => number): Rec | undefined {
  const opt = (k: string) => rule.options.find(([key]) => key === k)?.[1];
  if (rule.header.proto === 'mqtt') {
    const rc = opt('mqtt.reason_code');
    if (rc)
      return {
        mqtt: {
          connect: {
            qos: 0,
            retain: false,
            dup: false,
            protocol_string: 'MQTT',
            protocol_version: Number(rc) > 5 ? 5 : 4,
            flags: { username: true, password: true, will: false, will_retain: false, clean_session: true },
            client_id: `bot${int(rng, 100, 999)}`,
            username: pick(rng, ['admin', 'root', 'mqtt', 'guest']),
          },
          connack: { qos: 0, retain: false, dup: false, session_present: false, return_code: Number(rc) },
        },
      };
    const topic = rule.name.includes('sys') ? '$SYS/#' : rule.name.includes('wildcard') ? '#' : undefined;
    if (topic)
      return {
        mqtt: {
          subscribe: { qos: 1, retain: false, dup: false, message_id: int(rng, 1, 9), topics: [{ topic, qos: 0 }] },
        },
      };
    if (rule.name.includes('oversized'))
      return {
        mqtt: {
          publish: {
            qos: 0,
            retain: false,
            dup: false,
            topic: 'city/lights/cmd',
            truncated: true,
            skipped_length: 307200,
          },
        },
      };
    return undefined;
  }
  if (rule.header.proto === 'modbus') {
    const fn = Number(/function (\d+)/.exec(opt('modbus') ?? '')?.[1] ?? 5);
    const names: Record<number, string> = { 5: 'WrSingleCoil', 8: 'Diagnostic', 43: 'MEI' };
    return {
      modbus: {
        id: int(rng, 1, 400),
        request: {
          transaction_id: int(rng, 1, 65535),
          protocol_id: 0,
          unit_id: 1,
          function_raw: fn,
          function_code: names[fn] ?? 'WrSingleCoil',
          access_type: fn === 5 ? 'WRITE SINGLE | COILS' : '',
          category: 'PUBLIC_ASSIGNED',
          error_flags: 'NONE',
        },
      },
    };
  }
  if (rule.header.proto === 'dnp3') {
    const codes: Record<string, number> = { cold_restart: 13, warm_restart: 14, write: 2, disable_unsolicited: 21 };
    const fc = codes[opt('dnp3_func') ?? 'write'] ?? 2;
    return {
      dnp3: {
        type: 'request',
        id: int(rng, 1, 99),
        request: {
          control: { dir: true, pri: true, fcb: false, fcv: false, function_code: 4 },
          src: 1,
          dst: 10,
          application: {
            control: { fir: true, fin: true, con: false, uns: false, sequence: int(rng, 0, 15) },
            function_code: fc,
            objects: [],
            complete: true,
          },
        },
      },
    };
  }
  if (rule.header.proto === 'http') {
    return {
      http: {
        hostname: '',
        url: `/bins/mirai.${pick(rng, ['arm7', 'mips', 'mpsl', 'x86'])}`,
        http_user_agent: 'Wget(linux)',
        http_method: 'GET',
        protocol: 'HTTP/1.1',
        status: 200,
        length: int(rng, 40_000, 120_000),
      },
    };
  }
  return undefined;
}

/** One attack episode as EVE lines, in time order, ending at `now`. */
export function generateDemoEve(o: DemoEveOptions): string[] {
  const { rng } = o;
  const city = typeof o.city === 'string' ? DEMO_CITIES[o.city] : o.city;
  const family = o.family ?? pick(rng, RULE_FAMILIES);
  const rule = pick(
    rng,
    IOT_RULES.filter((r) => r.family === family),
  );
  const device = pick(rng, city.devices).ip;
  const attacker = `${pick(rng, ATTACKER_POOL)}${int(rng, 2, 254)}`;
  const proto = transport(rule);
  const flows = flowsBehind(rule);
  const end = o.now instanceof Date ? o.now.getTime() : o.now;
  let t = end - flows * 1500 - 2000;
  const lines: Rec[] = [];
  const common = (ms: number) => ({ timestamp: eveTimestamp(ms), in_iface: city.uplink });
  const reverse = alertFromDevice(rule);

  for (let i = 0; i < flows; i++) {
    // A flood comes from spoofed sources; everything else from the one attacker.
    const src = rule.family === 'flood' ? `${pick(rng, ATTACKER_POOL)}${int(rng, 2, 254)}` : attacker;
    const sport = int(rng, 32768, 60999);
    const dport = servicePort(rule, rng);
    const app = appProto(rule, dport);
    const flowId = int(rng, 1e14, 2 ** 50);
    const start = t;
    t += int(rng, 200, 1400);
    const cid =
      proto === 'ICMP' ? communityId(src, device, 'ICMP', 3, 3) : communityId(src, device, proto, sport, dport);
    const ends = { src_ip: src, src_port: sport, dest_ip: device, dest_port: dport, proto };
    const last = i === flows - 1;
    if (last) {
      const p = protocolRecord(rule, rng);
      if (p && app)
        lines.push({
          ...common(t - 40),
          flow_id: flowId,
          event_type: Object.keys(p)[0],
          ...ends,
          community_id: cid,
          ...p,
        });
      if (rule.options.some(([k]) => k === 'app-layer-event')) {
        const event = rule.options.find(([k]) => k === 'app-layer-event')![1]!.replace('mqtt.', '');
        lines.push({
          ...common(t - 20),
          flow_id: flowId,
          event_type: 'anomaly',
          ...ends,
          community_id: cid,
          app_proto: 'mqtt',
          anomaly: { app_proto: 'mqtt', type: 'applayer', event, layer: 'proto_parser' },
        });
      }
      const alertEnds = reverse ? { src_ip: device, src_port: dport, dest_ip: src, dest_port: sport, proto } : ends;
      lines.push({
        ...common(t),
        flow_id: flowId,
        event_type: 'alert',
        ...alertEnds,
        community_id: cid,
        alert: {
          action: 'allowed',
          gid: 1,
          signature_id: rule.sid,
          rev: rule.rev,
          signature: rule.msg,
          category: CATEGORY[rule.classtype] ?? rule.classtype,
          severity: rule.priority,
          metadata: { mitre_technique_id: [...rule.mitre], msec_family: [rule.family], msec_rule: [rule.name] },
        },
        ...(app ? { app_proto: app } : {}),
        direction: reverse ? 'to_client' : 'to_server',
        flow: {
          pkts_toserver: int(rng, 1, 12),
          pkts_toclient: reverse ? int(rng, 1, 10) : 0,
          bytes_toserver: int(rng, 60, 2000),
          bytes_toclient: reverse ? int(rng, 60, 1500) : 0,
          start: eveTimestamp(start),
          src_ip: src,
          dest_ip: device,
          src_port: sport,
          dest_port: dport,
        },
      });
    }
    lines.push({
      ...common(t + 30),
      flow_id: flowId,
      event_type: 'flow',
      ...ends,
      community_id: cid,
      ...(app ? { app_proto: app } : {}),
      flow: {
        pkts_toserver: int(rng, 1, 12),
        pkts_toclient: int(rng, 0, 10),
        bytes_toserver: int(rng, 60, 3000),
        bytes_toclient: int(rng, 0, 3000),
        start: eveTimestamp(start),
        end: eveTimestamp(t + 30),
        age: 1,
        state: proto === 'TCP' ? pick(rng, ['closed', 'new', 'established']) : 'new',
        reason: 'timeout',
        alerted: last,
      },
      ...(proto === 'TCP'
        ? { tcp: { tcp_flags: '1b', syn: true, fin: true, psh: true, ack: true, state: 'closed' } }
        : {}),
    });
  }
  return lines.map((l) => JSON.stringify({ ...l, host: o.sensor }));
}
