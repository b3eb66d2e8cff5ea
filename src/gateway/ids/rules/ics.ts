/** Rules on the IoT and industrial application protocols Suricata parses: MQTT, Modbus, DNP3. */
import { contentValue } from './render.ts';
import type { IotRule } from './types.ts';

const connackToClient = { proto: 'mqtt', src: 'any', srcPorts: 'any', dst: 'any', dstPorts: 'any' };
const fromOutside = (proto: string) => ({ proto, src: '$EXTERNAL_NET', srcPorts: 'any', dst: '$HOME_NET', dstPorts: 'any' });
const toDevice = (proto: string) => ({ proto, src: 'any', srcPorts: 'any', dst: '$HOME_NET', dstPorts: 'any' });

/** Refused CONNECTs: the alert is raised on the broker's CONNACK, so the client is the destination. */
function refusedConnect(sid: number, code: number, what: string, version: string): IotRule {
  return {
    sid, rev: 1, name: `mqtt-connect-refused-${code}`, family: 'mqtt',
    msg: `MSEC IoT MQTT repeated CONNECT refused (${version} code ${code}, ${what}) for one client`,
    classtype: 'unsuccessful-user', priority: 2, mitre: ['T1110.001', 'T1110'], blocking: false,
    header: connackToClient,
    options: [['mqtt.type', 'CONNACK'], ['mqtt.reason_code', String(code)], ['threshold', 'type both, track by_dst, count 5, seconds 60']],
    why: `Five CONNACKs with ${what} in a minute to one client: guessing broker credentials.`,
  };
}

/** Malformed MQTT: the parser's own anomaly events, tagged with what they mean for a broker. */
function invalidMqtt(sid: number, event: string, what: string, mitre: string[]): IotRule {
  return {
    sid, rev: 1, name: `mqtt-invalid-${event.replace(/_/g, '-')}`, family: 'mqtt',
    msg: `MSEC IoT MQTT invalid packet: ${what}`,
    classtype: 'protocol-command-decode', priority: 2, mitre, blocking: false,
    header: connackToClient,
    options: [['app-layer-event', `mqtt.${event}`]],
    why: `Suricata's MQTT parser flags ${event}: ${what}, which no conforming client or broker sends.`,
  };
}

export const ICS_RULES: readonly IotRule[] = [
  refusedConnect(1_711_020, 4, 'bad user name or password', 'MQTT 3.1.1'),
  refusedConnect(1_711_021, 5, 'not authorized', 'MQTT 3.1.1'),
  refusedConnect(1_711_022, 134, 'bad user name or password', 'MQTT 5'),
  refusedConnect(1_711_023, 135, 'not authorized', 'MQTT 5'),
  invalidMqtt(1_711_024, 'invalid_qos_level', 'QoS level 3', ['T1190', 'T0819']),
  invalidMqtt(1_711_025, 'missing_connect', 'CONNACK without a CONNECT', ['T1557']),
  invalidMqtt(1_711_026, 'unassigned_msg_type', 'message type 0 or 15', ['T1190', 'T0819']),
  invalidMqtt(1_711_027, 'double_connect', 'a second CONNECT on one connection', ['T1190', 'T0819']),
  invalidMqtt(1_711_028, 'unintroduced_message', 'a message before the CONNECT/CONNACK exchange', ['T1190', 'T0819']),
  {
    sid: 1_711_030, rev: 1, name: 'mqtt-wildcard-subscribe-from-outside', family: 'mqtt',
    msg: 'MSEC IoT MQTT subscription to every topic from outside',
    classtype: 'attempted-recon', priority: 2, mitre: ['T0861', 'T1119'], blocking: true,
    header: fromOutside('mqtt'),
    options: [['mqtt.type', 'SUBSCRIBE'], ['mqtt.subscribe.topic'], ['content', contentValue('#')], ['endswith'], ['pcre', '"/^(?:\\+\\/)*#$/"']],
    why: 'A subscription to "#" (or "+/#") from outside harvests every sensor reading and tag name.',
  },
  {
    sid: 1_711_031, rev: 1, name: 'mqtt-sys-subscribe-from-outside', family: 'mqtt',
    msg: 'MSEC IoT MQTT subscription to $SYS broker topics from outside',
    classtype: 'attempted-recon', priority: 2, mitre: ['T0888', 'T1082'], blocking: true,
    header: fromOutside('mqtt'),
    options: [['mqtt.type', 'SUBSCRIBE'], ['mqtt.subscribe.topic'], ['content', contentValue('$SYS')], ['startswith']],
    why: '$SYS topics reveal the broker version, clients and load: reconnaissance when asked from outside.',
  },
  {
    sid: 1_711_032, rev: 1, name: 'mqtt-oversized-publish', family: 'mqtt',
    msg: 'MSEC IoT MQTT oversized PUBLISH (over 256 KiB) to a device network',
    classtype: 'attempted-dos', priority: 2, mitre: ['T1499.002', 'T0814'], blocking: true,
    header: toDevice('mqtt'),
    options: [['mqtt.type', 'PUBLISH'], ['mqtt.publish.message'], ['bsize', '>262144']],
    why: 'Sensor messages are bytes to kilobytes (a camera still tens of KiB); a quarter-megabyte publish exhausts small brokers and devices.',
  },
  {
    sid: 1_711_040, rev: 1, name: 'modbus-write-from-outside', family: 'modbus',
    msg: 'MSEC IoT Modbus write from outside the home network',
    classtype: 'attempted-admin', priority: 1, mitre: ['T0855', 'T0836'], blocking: true,
    header: fromOutside('modbus'),
    options: [['modbus', 'access write']],
    why: 'Coil and register writes change the physical process; only controllers inside the home network may send them.',
  },
  {
    sid: 1_711_041, rev: 1, name: 'modbus-diagnostics-from-outside', family: 'modbus',
    msg: 'MSEC IoT Modbus diagnostics (function 8) from outside the home network',
    classtype: 'attempted-admin', priority: 1, mitre: ['T0888', 'T0814'], blocking: true,
    header: fromOutside('modbus'),
    options: [['modbus', 'function 8']],
    why: 'Diagnostics read counters and can restart communications or force listen-only mode (a denial of service).',
  },
  {
    sid: 1_711_042, rev: 1, name: 'modbus-device-identification-from-outside', family: 'modbus',
    msg: 'MSEC IoT Modbus read device identification (function 43) from outside',
    classtype: 'attempted-recon', priority: 2, mitre: ['T0888'], blocking: false,
    header: fromOutside('modbus'),
    options: [['modbus', 'function 43']],
    why: 'Reading vendor, product and firmware revision is the first step of an ICS attack.',
  },
  {
    sid: 1_711_050, rev: 1, name: 'dnp3-cold-restart', family: 'dnp3',
    msg: 'MSEC IoT DNP3 cold restart request',
    classtype: 'attempted-dos', priority: 1, mitre: ['T0816'], blocking: true,
    header: toDevice('dnp3'),
    options: [['dnp3_func', 'cold_restart']],
    why: 'A cold restart reboots the outstation and stops monitoring and control while it comes back.',
  },
  {
    sid: 1_711_051, rev: 1, name: 'dnp3-warm-restart', family: 'dnp3',
    msg: 'MSEC IoT DNP3 warm restart request',
    classtype: 'attempted-dos', priority: 1, mitre: ['T0816'], blocking: true,
    header: toDevice('dnp3'),
    options: [['dnp3_func', 'warm_restart']],
    why: 'A warm restart resets the outstation application: the same loss of view as a cold one, shorter.',
  },
  {
    sid: 1_711_052, rev: 1, name: 'dnp3-write-from-outside', family: 'dnp3',
    msg: 'MSEC IoT DNP3 unsolicited WRITE from outside the home network',
    classtype: 'attempted-admin', priority: 1, mitre: ['T0855', 'T0836'], blocking: true,
    header: fromOutside('dnp3'),
    options: [['dnp3_func', 'write']],
    why: 'A WRITE not sent by the home network\'s master changes outstation values or its clock.',
  },
  {
    sid: 1_711_053, rev: 1, name: 'dnp3-disable-unsolicited-from-outside', family: 'dnp3',
    msg: 'MSEC IoT DNP3 disable unsolicited responses from outside',
    classtype: 'attempted-admin', priority: 1, mitre: ['T0804'], blocking: true,
    header: fromOutside('dnp3'),
    options: [['dnp3_func', 'disable_unsolicited']],
    why: 'Turning off unsolicited reports blinds the master to events at the outstation.',
  },
];
