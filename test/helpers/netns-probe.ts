/**
 * Run inside a network namespace (`ip netns exec NS node --import tsx netns-probe.ts JSON`): probes TCP
 * and UDP ports of one host, or sends datagrams, and prints one JSON result. A TCP port is `open`
 * (connected; `banner` holds what it said), `refused` (a RST came back), `silent` (nothing within the
 * timeout) or `error:<code>` (e.g. an ICMP unreachable); a UDP port is `answer`, `unreachable`
 * (ICMP port unreachable) or `silent`.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

interface ProbeRequest {
  host: string;
  tcp?: number[];
  udp?: number[];
  timeoutMs: number;
  /** Datagrams (base64) to send to `sendPort` instead of probing. */
  send?: string[];
  sendPort?: number;
}

const req = JSON.parse(process.argv[2]!) as ProbeRequest;

function probeTcp(port: number): Promise<{ state: string; banner?: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: req.host, port });
    let banner = '';
    let connected = false;
    const finish = (state: string) => {
      clearTimeout(t);
      s.destroy();
      resolve(connected ? { state: 'open', banner } : { state });
    };
    const t = setTimeout(() => finish('silent'), req.timeoutMs);
    s.on('connect', () => {
      connected = true;
      setTimeout(() => finish('open'), 300);
    });
    s.on('data', (d) => (banner += d.toString('latin1')));
    s.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? 'refused' : `error:${err.code}`),
    );
  });
}

function probeUdp(port: number): Promise<{ state: string }> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    let done = false;
    const finish = (state: string) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.close();
      resolve({ state });
    };
    const t = setTimeout(() => finish('silent'), req.timeoutMs);
    s.on('message', () => finish('answer'));
    s.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? 'unreachable' : `error:${err.code}`),
    );
    s.connect(port, req.host, () => {
      s.send(Buffer.from('msec-probe\n'));
      // A second datagram: the ICMP error of the first is reported on the next socket operation.
      setTimeout(() => done || s.send(Buffer.from('msec-probe\n'), () => undefined), 200);
    });
  });
}

async function main(): Promise<void> {
  if (req.send) {
    const s = createSocket('udp4');
    for (const b64 of req.send)
      await new Promise<void>((r) => s.send(Buffer.from(b64, 'base64'), req.sendPort!, req.host, () => r()));
    s.close();
    console.log(JSON.stringify({ sent: req.send.length }));
    return;
  }
  const tcp = Object.fromEntries(await Promise.all((req.tcp ?? []).map(async (p) => [p, await probeTcp(p)] as const)));
  const udp = Object.fromEntries(await Promise.all((req.udp ?? []).map(async (p) => [p, await probeUdp(p)] as const)));
  console.log(JSON.stringify({ tcp, udp }));
}

await main();
