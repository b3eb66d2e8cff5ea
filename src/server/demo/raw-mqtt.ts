/**
 * Hand-built MQTT 3.1.1 packets for the demo's replayed attacks: an attacker's client does not
 * go through a well-behaved library, and we need to send what such a library refuses to (a
 * PUBLISH to a wildcard topic) from a chosen source address.
 */
import { connect } from 'node:net';

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

function packet(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
}

/** CONNECT, clean session, with user name and password. */
export function connectPacket(clientId: string, username: string, password: string): Buffer {
  const variable = Buffer.concat([utf8('MQTT'), Buffer.from([0x04, 0xc2, 0x00, 0x3c])]);
  return packet(0x10, Buffer.concat([variable, utf8(clientId), utf8(username), utf8(password)]));
}

/** PUBLISH at QoS 0. */
export function publishPacket(topic: string, payload: Buffer): Buffer {
  return packet(0x30, Buffer.concat([utf8(topic), payload]));
}

/**
 * Opens one TCP connection from `localAddress`, writes the packets (the next one after the
 * broker's first answer), and resolves with the first answer's bytes once the broker closes or
 * `timeoutMs` passes. Never rejects: a refused attack is the expected outcome.
 */
export function sendRaw(opts: {
  host: string;
  port: number;
  localAddress: string;
  packets: Buffer[];
  timeoutMs: number;
}): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    let first: Buffer | undefined;
    const queue = [...opts.packets];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(first);
    };
    const timer = setTimeout(done, opts.timeoutMs);
    socket.on('connect', () => socket.write(queue.shift()!));
    socket.on('data', (d: Buffer) => {
      first ??= d;
      const next = queue.shift();
      if (next) socket.write(next);
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}
