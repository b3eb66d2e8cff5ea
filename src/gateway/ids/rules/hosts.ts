/** Rules about hosts and transports: credential brute force, Mirai markers, CoAP, scans, floods. */
import { contentValue } from './render.ts';
import type { IotRule } from './types.ts';

const telnetToDevice = { proto: 'tcp', src: 'any', srcPorts: 'any', dst: '$HOME_NET', dstPorts: '$TELNET_PORTS' };
const telnetFromDevice = { proto: 'tcp', src: '$HOME_NET', srcPorts: '$TELNET_PORTS', dst: 'any', dstPorts: 'any' };

export const HOST_RULES: readonly IotRule[] = [
  {
    sid: 1_711_001, rev: 1, name: 'telnet-login-failures', family: 'bruteforce',
    msg: 'MSEC IoT telnet repeated login failures for one source (credential brute force)',
    classtype: 'unsuccessful-user', priority: 2, mitre: ['T1110.001', 'T1110'], blocking: false,
    header: telnetFromDevice,
    options: [['flow', 'from_server,established'], ['content', contentValue('Login incorrect')], ['nocase'],
      ['threshold', 'type both, track by_dst, count 5, seconds 120']],
    why: 'A device answering "Login incorrect" five times in two minutes to one client is being guessed at, as Mirai does.',
  },
  {
    sid: 1_711_002, rev: 1, name: 'telnet-connection-burst', family: 'bruteforce',
    msg: 'MSEC IoT burst of telnet connections from one outside source',
    classtype: 'attempted-admin', priority: 2, mitre: ['T1110.001', 'T1110'], blocking: false,
    header: { proto: 'tcp', src: '$EXTERNAL_NET', srcPorts: 'any', dst: '$HOME_NET', dstPorts: '$TELNET_PORTS' },
    options: [['flow', 'to_server'], ['flags', 'S,12'], ['threshold', 'type both, track by_src, count 10, seconds 60']],
    why: 'Ten new telnet connections a minute from one outside address: a credential-guessing bot reconnecting per attempt.',
  },
  {
    sid: 1_711_003, rev: 1, name: 'ssh-connection-burst', family: 'bruteforce',
    msg: 'MSEC IoT burst of SSH connections from one outside source',
    classtype: 'attempted-admin', priority: 2, mitre: ['T1110.001', 'T1110'], blocking: false,
    header: { proto: 'tcp', src: '$EXTERNAL_NET', srcPorts: 'any', dst: '$HOME_NET', dstPorts: '$SSH_PORTS' },
    options: [['flow', 'to_server'], ['flags', 'S,12'], ['threshold', 'type both, track by_src, count 10, seconds 60']],
    why: 'SSH is encrypted, so guessing shows as many short sessions: ten new connections a minute from one outside address.',
  },
  {
    sid: 1_711_010, rev: 1, name: 'mirai-ecchi-probe', family: 'mirai',
    msg: 'MSEC IoT Mirai busybox ECCHI probe sent to a device',
    classtype: 'trojan-activity', priority: 1, mitre: ['T1059.004'], blocking: true,
    header: telnetToDevice,
    options: [['flow', 'to_server,established'], ['content', contentValue('/bin/busybox')], ['content', contentValue('ECCHI')], ['distance', '0'], ['within', '16']],
    why: 'Mirai runs "/bin/busybox ECCHI" right after a login to learn whether it reached a BusyBox shell.',
  },
  {
    sid: 1_711_011, rev: 1, name: 'mirai-ecchi-answer', family: 'mirai',
    msg: 'MSEC IoT device answered the Mirai ECCHI probe (shell reached)',
    classtype: 'successful-admin', priority: 1, mitre: ['T1078.001', 'T0812'], blocking: true,
    header: telnetFromDevice,
    options: [['flow', 'from_server,established'], ['content', contentValue('ECCHI: applet not found')]],
    why: 'The BusyBox reply to the probe proves the bot logged in, usually with a default credential.',
  },
  {
    sid: 1_711_012, rev: 1, name: 'busybox-botnet-applet', family: 'mirai',
    msg: 'MSEC IoT busybox called with a botnet marker applet name',
    classtype: 'trojan-activity', priority: 1, mitre: ['T1059.004'], blocking: true,
    header: telnetToDevice,
    options: [['flow', 'to_server,established'], ['content', contentValue('/bin/busybox ')], ['pcre', '"/\\/bin\\/busybox\\s+(?!ECCHI\\b)[A-Z][A-Z0-9]{3,}\\b/"']],
    why: 'Mirai variants probe with their own upper-case applet names (MIRAI, OKIRU, SORA, MEMES...); no real applet is upper case.',
  },
  {
    sid: 1_711_013, rev: 1, name: 'telnet-wget-loader', family: 'mirai',
    msg: 'MSEC IoT loader download by wget typed into a telnet session',
    classtype: 'trojan-activity', priority: 1, mitre: ['T1105'], blocking: true,
    header: telnetToDevice,
    options: [['flow', 'to_server,established'], ['content', contentValue('wget')], ['pcre', '"/wget\\s+(?:-\\S+\\s+)*(?:https?|ftp):\\/\\//"']],
    why: 'After the login the loader makes the device fetch the bot binary with wget.',
  },
  {
    sid: 1_711_014, rev: 1, name: 'telnet-tftp-loader', family: 'mirai',
    msg: 'MSEC IoT loader download by tftp typed into a telnet session',
    classtype: 'trojan-activity', priority: 1, mitre: ['T1105'], blocking: true,
    header: telnetToDevice,
    options: [['flow', 'to_server,established'], ['content', contentValue('tftp')], ['pcre', '"/tftp\\s+(?:-\\S+\\s+)*-[gr]\\b/"']],
    why: 'Devices without wget are made to fetch the bot with "tftp -g -r FILE HOST".',
  },
  {
    sid: 1_711_015, rev: 1, name: 'device-fetches-bot-binary', family: 'mirai',
    msg: 'MSEC IoT device downloads a per-architecture bot binary over HTTP',
    classtype: 'trojan-activity', priority: 1, mitre: ['T1105'], blocking: true,
    header: { proto: 'http', src: '$HOME_NET', srcPorts: 'any', dst: '$EXTERNAL_NET', dstPorts: 'any' },
    options: [['flow', 'established,to_server'], ['http.uri'], ['content', contentValue('.')],
      ['pcre', '"/\\.(?:mips|mpsl|mipsel|arm[4-7]?|x86|x86_64|m68k|sh4|ppc|spc|i686)$/"']],
    why: 'Loaders fetch one build per CPU (bins/x.arm7, x.mips...), a request an IoT device never makes for a living.',
  },
  {
    sid: 1_711_060, rev: 1, name: 'coap-discovery-from-outside', family: 'coap',
    msg: 'MSEC IoT CoAP /.well-known/core discovery from outside',
    classtype: 'attempted-recon', priority: 2, mitre: ['T1046', 'T0846'], blocking: true,
    header: { proto: 'udp', src: '$EXTERNAL_NET', srcPorts: 'any', dst: '$HOME_NET', dstPorts: '$COAP_PORTS' },
    // Suricata has no CoAP parser: version 1 in the first byte's top bits, then the Uri-Path options.
    options: [['byte_test', '1,&,0x40,0'], ['byte_test', '1,!&,0x80,0'], ['content', contentValue('.well-known')], ['content', contentValue('\x04core')], ['distance', '0'], ['within', '5']],
    why: 'Resource discovery is how scanners and amplification attackers find CoAP devices; nobody outside needs it.',
  },
  {
    sid: 1_711_061, rev: 1, name: 'coap-amplified-response', family: 'coap',
    msg: 'MSEC IoT large CoAP responses to one outside address (reflection amplification)',
    classtype: 'attempted-dos', priority: 2, mitre: ['T1498.002'], blocking: false,
    header: { proto: 'udp', src: '$HOME_NET', srcPorts: '$COAP_PORTS', dst: '$EXTERNAL_NET', dstPorts: 'any' },
    // A response code (class 2-5) in byte 1 and a payload far larger than any request.
    options: [['dsize', '>512'], ['byte_test', '1,&,0x40,0'], ['byte_test', '1,!&,0x80,0'], ['byte_test', '1,>,0x3f,1'],
      ['threshold', 'type both, track by_dst, count 3, seconds 10']],
    why: 'Spoofed discovery requests make devices send many large responses to a victim.',
  },
  {
    sid: 1_711_070, rev: 1, name: 'iot-port-sweep', family: 'scan',
    msg: 'MSEC IoT sweep of IoT service ports by one outside source',
    classtype: 'network-scan', priority: 3, mitre: ['T1046', 'T0846'], blocking: false,
    header: { proto: 'tcp', src: '$EXTERNAL_NET', srcPorts: 'any', dst: '$HOME_NET', dstPorts: '$IOT_PORTS' },
    options: [['flow', 'to_server'], ['flags', 'S,12'], ['threshold', 'type both, track by_src, count 20, seconds 60']],
    why: 'Twenty connection attempts a minute to IoT ports (telnet, MQTT, Modbus, DNP3, RTSP, TR-069...) across hosts or ports.',
  },
  {
    sid: 1_711_071, rev: 1, name: 'refused-connection-burst', family: 'scan',
    msg: 'MSEC IoT many refused TCP connections to one outside address (port scan)',
    classtype: 'network-scan', priority: 3, mitre: ['T1046'], blocking: false,
    header: { proto: 'tcp', src: '$HOME_NET', srcPorts: 'any', dst: '$EXTERNAL_NET', dstPorts: 'any' },
    options: [['flags', 'RA,12'], ['threshold', 'type both, track by_dst, count 10, seconds 60']],
    why: 'Closed ports answer with RST: ten in a minute to one address is a scan of many ports or hosts.',
  },
  {
    sid: 1_711_072, rev: 1, name: 'udp-port-unreachable-burst', family: 'scan',
    msg: 'MSEC IoT many ICMP port unreachables to one outside address (UDP scan)',
    classtype: 'network-scan', priority: 3, mitre: ['T1046'], blocking: false,
    header: { proto: 'icmp', src: '$HOME_NET', srcPorts: 'any', dst: '$EXTERNAL_NET', dstPorts: 'any' },
    options: [['itype', '3'], ['icode', '3'], ['threshold', 'type both, track by_dst, count 10, seconds 60']],
    why: 'UDP probes of closed ports come back as ICMP port unreachable: ten a minute to one address is a UDP scan.',
  },
  {
    sid: 1_711_080, rev: 1, name: 'syn-flood', family: 'flood',
    msg: 'MSEC IoT SYN flood against a device',
    classtype: 'attempted-dos', priority: 2, mitre: ['T1498.001', 'T0814'], blocking: false,
    header: { proto: 'tcp', src: 'any', srcPorts: 'any', dst: '$HOME_NET', dstPorts: 'any' },
    options: [['flow', 'to_server'], ['flags', 'S,12'], ['threshold', 'type both, track by_dst, count 500, seconds 10']],
    why: 'Five hundred SYNs in ten seconds at one device (spoofed sources, so counted per target) is a flood.',
  },
];
