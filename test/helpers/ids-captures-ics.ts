/** Crafted captures for MQTT, Modbus and DNP3 (see ids-captures-hosts.ts for the conventions). */
import { DNP3, dnp3App, dnp3Frame, modbusAdu, mqtt } from './iot-packets.ts';
import type { CraftedCapture } from './ids-captures.ts';

const MQTT_PORT = 1883;

export const ICS_CAPTURES: CraftedCapture[] = [
  {
    name: 'mqtt-credential-guessing-v311',
    family: 'mqtt',
    kind: 'attack',
    expectSids: [1_711_020, 1_711_021],
    why: 'six CONNECTs with guessed passwords refused with code 4, then six with a stolen user refused with code 5',
    build(cap, n) {
      for (let i = 0; i < 12; i++) {
        const s = cap.tcp({ ip: n.attacker, port: 50000 + i }, { ip: n.device, port: MQTT_PORT });
        s.fromClient(mqtt.connect(`probe${i}`, i < 6 ? 'admin' : 'sensor-17', `guess${i}`))
          .fromServer(mqtt.connack(i < 6 ? 4 : 5))
          .close();
      }
    },
  },
  {
    name: 'mqtt-credential-guessing-v5',
    family: 'mqtt',
    kind: 'attack',
    expectSids: [1_711_022, 1_711_023],
    why: 'the same against an MQTT 5 broker: reason codes 0x86 (bad user name or password) and 0x87 (not authorized)',
    build(cap, n) {
      for (let i = 0; i < 12; i++) {
        const s = cap.tcp({ ip: n.attacker, port: 50100 + i }, { ip: n.device, port: MQTT_PORT });
        s.fromClient(mqtt.connect(`p${i}`, 'admin', `guess${i}`, 5))
          .fromServer(mqtt.connack(i < 6 ? 134 : 135, 5))
          .close();
      }
    },
  },
  {
    name: 'mqtt-topic-harvest',
    family: 'mqtt',
    kind: 'attack',
    expectSids: [1_711_030, 1_711_031],
    why: 'an outside client on an open broker subscribes to "#" (every reading) and to "$SYS/#" (broker internals)',
    build(cap, n) {
      const s = cap.tcp({ ip: n.attacker, port: 50200 }, { ip: n.device, port: MQTT_PORT });
      s.fromClient(mqtt.connect('harvester', undefined, undefined)).fromServer(mqtt.connack(0));
      s.fromClient(mqtt.subscribe(1, '#')).fromServer(mqtt.suback(1));
      s.fromClient(mqtt.subscribe(2, '$SYS/#')).fromServer(mqtt.suback(2));
      s.fromClient(mqtt.disconnect()).close();
    },
  },
  {
    name: 'mqtt-oversized-publish',
    family: 'mqtt',
    kind: 'attack',
    expectSids: [1_711_032],
    why: 'a 300 KiB PUBLISH to a command topic, to exhaust a small broker and its subscribers',
    build(cap, n) {
      const s = cap.tcp({ ip: n.attacker, port: 50300 }, { ip: n.device, port: MQTT_PORT });
      s.fromClient(mqtt.connect('flooder', undefined, undefined)).fromServer(mqtt.connack(0));
      s.fromClient(mqtt.publish('city/lights/cmd', Buffer.alloc(300 * 1024, 0x41)))
        .fromClient(mqtt.disconnect())
        .close();
    },
  },
  {
    name: 'mqtt-malformed',
    family: 'mqtt',
    kind: 'attack',
    expectSids: [1_711_024, 1_711_025, 1_711_026, 1_711_027, 1_711_028],
    why: 'a fuzzer: a PUBLISH with QoS 3, a packet of the unassigned type 0, a second CONNECT, a PUBLISH before any CONNECT; and a spoofed broker sending a CONNACK nobody asked for',
    build(cap, n) {
      const a = cap.tcp({ ip: n.attacker, port: 50400 }, { ip: n.device, port: MQTT_PORT });
      a.fromClient(mqtt.connect('fz1', undefined, undefined)).fromServer(mqtt.connack(0));
      a.fromClient(mqtt.publish('a/b', Buffer.from('x'), 4, 0x06)).close();
      const b = cap.tcp({ ip: n.attacker, port: 50401 }, { ip: n.device, port: MQTT_PORT });
      b.fromClient(mqtt.connect('fz2', undefined, undefined)).fromServer(mqtt.connack(0));
      b.fromClient(mqtt.raw(0, Buffer.from([1, 2]))).close();
      const c = cap.tcp({ ip: n.attacker, port: 50402 }, { ip: n.device, port: MQTT_PORT });
      c.fromClient(mqtt.connect('fz3', undefined, undefined)).fromServer(mqtt.connack(0));
      c.fromClient(mqtt.connect('fz3', undefined, undefined)).close();
      const d = cap.tcp({ ip: n.attacker, port: 50403 }, { ip: n.device, port: MQTT_PORT });
      d.fromClient(mqtt.publish('a/b', Buffer.from('early')))
        .fromClient(mqtt.connect('fz4', undefined, undefined))
        .fromServer(mqtt.connack(0))
        .close();
      const e = cap.tcp({ ip: n.device, port: 50404 }, { ip: n.attacker, port: MQTT_PORT });
      e.fromServer(mqtt.connack(0))
        .fromClient(mqtt.publish('a/b', Buffer.from('x')))
        .close();
    },
  },
  {
    name: 'mqtt-city-platform',
    family: 'mqtt',
    kind: 'benign',
    why: 'the city platform (outside) mistypes its password once, then logs in, subscribes to one district and publishes a 40 KiB camera still',
    build(cap, n) {
      const bad = cap.tcp({ ip: n.peer, port: 50500 }, { ip: n.device, port: MQTT_PORT });
      bad
        .fromClient(mqtt.connect('platform', 'platform', 'typo'))
        .fromServer(mqtt.connack(4))
        .close();
      const s = cap.tcp({ ip: n.peer, port: 50501 }, { ip: n.device, port: MQTT_PORT });
      s.fromClient(mqtt.connect('platform', 'platform', 'right')).fromServer(mqtt.connack(0));
      s.fromClient(mqtt.subscribe(1, 'city/santander/parking/+/occupancy')).fromServer(mqtt.suback(1));
      s.fromClient(mqtt.subscribe(2, 'city/santander/air/#')).fromServer(mqtt.suback(2));
      s.fromClient(mqtt.publish('city/santander/cam/7/still', Buffer.alloc(40 * 1024, 0xd8)))
        .fromClient(mqtt.disconnect())
        .close();
      const local = cap.tcp({ ip: n.insider, port: 50502 }, { ip: n.device, port: MQTT_PORT });
      local.fromClient(mqtt.connect('dashboard', 'dash', 'pw')).fromServer(mqtt.connack(0));
      local.fromClient(mqtt.subscribe(1, '$SYS/broker/uptime')).fromServer(mqtt.suback(1)).close();
    },
  },
  {
    name: 'modbus-from-outside',
    family: 'modbus',
    kind: 'attack',
    expectSids: [1_711_040, 1_711_041, 1_711_042],
    why: 'an outside client identifies a PLC (43/14), runs diagnostics (8/restart communications) and writes a coil and registers',
    build(cap, n) {
      const s = cap.tcp({ ip: n.attacker, port: 51000 }, { ip: n.device, port: 502 });
      s.fromClient(modbusAdu(1, 1, Buffer.from([0x2b, 0x0e, 0x01, 0x00]))).fromServer(
        modbusAdu(1, 1, Buffer.from([0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x03, 0x41, 0x43, 0x4d])),
      );
      s.fromClient(modbusAdu(2, 1, Buffer.from([0x08, 0x00, 0x01, 0x00, 0x00]))).fromServer(
        modbusAdu(2, 1, Buffer.from([0x08, 0x00, 0x01, 0x00, 0x00])),
      );
      s.fromClient(modbusAdu(3, 1, Buffer.from([0x05, 0x00, 0x10, 0xff, 0x00]))).fromServer(
        modbusAdu(3, 1, Buffer.from([0x05, 0x00, 0x10, 0xff, 0x00])),
      );
      s.fromClient(modbusAdu(4, 1, Buffer.from([0x10, 0x00, 0x20, 0x00, 0x02, 0x04, 0x00, 0x64, 0x00, 0xc8])))
        .fromServer(modbusAdu(4, 1, Buffer.from([0x10, 0x00, 0x20, 0x00, 0x02])))
        .close();
    },
  },
  {
    name: 'modbus-operations',
    family: 'modbus',
    kind: 'benign',
    why: 'the local SCADA master writes a setpoint and runs diagnostics; the outside historian only reads holding registers',
    build(cap, n) {
      const local = cap.tcp({ ip: n.insider, port: 51100 }, { ip: n.device, port: 502 });
      local
        .fromClient(modbusAdu(1, 1, Buffer.from([0x06, 0x00, 0x05, 0x01, 0x2c])))
        .fromServer(modbusAdu(1, 1, Buffer.from([0x06, 0x00, 0x05, 0x01, 0x2c])));
      local
        .fromClient(modbusAdu(2, 1, Buffer.from([0x08, 0x00, 0x00, 0x12, 0x34])))
        .fromServer(modbusAdu(2, 1, Buffer.from([0x08, 0x00, 0x00, 0x12, 0x34])))
        .close();
      const historian = cap.tcp({ ip: n.peer, port: 51101 }, { ip: n.device, port: 502 });
      historian
        .fromClient(modbusAdu(7, 1, Buffer.from([0x03, 0x00, 0x00, 0x00, 0x02])))
        .fromServer(modbusAdu(7, 1, Buffer.from([0x03, 0x04, 0x00, 0x15, 0x00, 0x16])))
        .close();
    },
  },
  {
    name: 'dnp3-sabotage',
    family: 'dnp3',
    kind: 'attack',
    expectSids: [1_711_050, 1_711_051, 1_711_052, 1_711_053],
    why: 'an outside master disables unsolicited reports, writes the IIN restart bit, then cold- and warm-restarts the outstation',
    build(cap, n) {
      const s = cap.tcp({ ip: n.attacker, port: 52000 }, { ip: n.device, port: 20000 });
      const req = (fn: number, objects: number[], seq: number) =>
        dnp3Frame(true, 10, 1, dnp3App(fn, objects, seq), seq);
      const ok = (seq: number) => dnp3Frame(false, 1, 10, Buffer.from([0xc0 | seq, DNP3.RESPONSE, 0x00, 0x00]), seq);
      s.fromClient(req(DNP3.DISABLE_UNSOLICITED, [0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06], 1)).fromServer(
        ok(1),
      );
      s.fromClient(req(DNP3.WRITE, [0x50, 0x01, 0x00, 0x07, 0x07, 0x00], 2)).fromServer(ok(2));
      s.fromClient(req(DNP3.COLD_RESTART, [], 3)).fromServer(ok(3));
      s.fromClient(req(DNP3.WARM_RESTART, [], 4))
        .fromServer(ok(4))
        .close();
    },
  },
  {
    name: 'dnp3-polling',
    family: 'dnp3',
    kind: 'benign',
    why: 'the local master and an outside historian poll class 0 data (READ), as they do all day',
    build(cap, n) {
      for (const [client, port] of [
        [n.insider, 52100],
        [n.peer, 52101],
      ] as const) {
        const s = cap.tcp({ ip: client, port }, { ip: n.device, port: 20000 });
        s.fromClient(dnp3Frame(true, 10, 1, dnp3App(DNP3.READ, [0x3c, 0x01, 0x06], 1), 1));
        s.fromServer(
          dnp3Frame(
            false,
            1,
            10,
            Buffer.from([
              0xc1,
              DNP3.RESPONSE,
              0x00,
              0x00,
              0x1e,
              0x02,
              0x00,
              0x00,
              0x00,
              0x01,
              0x00,
              0x2a,
              0x00,
              0x00,
              0x00,
            ]),
            1,
          ),
        ).close();
      }
    },
  },
];
