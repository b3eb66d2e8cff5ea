/**
 * A small libpcap writer for tests that craft their own traffic: Ethernet + IPv4 + TCP/UDP with
 * correct checksums, and TCP sessions with a real three-way handshake, in-order sequence and
 * acknowledgement numbers and an orderly close, so Suricata's stream engine reassembles them and
 * its app-layer parsers (MQTT, Modbus, DNP3, telnet) run exactly as on a live link.
 */

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Packet {
  timeUs: number;
  frame: Buffer;
}

const MSS = 1460;

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`bad IPv4 address ${ip}`);
  return Buffer.from(parts);
}

/** RFC 1071 ones'-complement sum. */
export function internetChecksum(...chunks: Buffer[]): number {
  const data = Buffer.concat(chunks);
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += data.readUInt16BE(i);
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

let ipId = 1;

function ipv4(src: string, dst: string, proto: number, l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h.writeUInt16BE(ipId++ & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = 64;
  h[9] = proto;
  ipBytes(src).copy(h, 12);
  ipBytes(dst).copy(h, 16);
  h.writeUInt16BE(internetChecksum(h), 10);
  return Buffer.concat([h, l4]);
}

function pseudoHeader(src: string, dst: string, proto: number, length: number): Buffer {
  const p = Buffer.alloc(12);
  ipBytes(src).copy(p, 0);
  ipBytes(dst).copy(p, 4);
  p[9] = proto;
  p.writeUInt16BE(length, 10);
  return p;
}

function ethernet(ipPacket: Buffer): Buffer {
  const h = Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  return Buffer.concat([h, ipPacket]);
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export function tcpFrame(
  src: Endpoint,
  dst: Endpoint,
  flags: number,
  seq: number,
  ack: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(src.port, 0);
  h.writeUInt16BE(dst.port, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(64240, 14);
  const seg = Buffer.concat([h, payload]);
  seg.writeUInt16BE(internetChecksum(pseudoHeader(src.ip, dst.ip, 6, seg.length), seg), 16);
  return ethernet(ipv4(src.ip, dst.ip, 6, seg));
}

export function udpFrame(src: Endpoint, dst: Endpoint, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(src.port, 0);
  h.writeUInt16BE(dst.port, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  const dgram = Buffer.concat([h, payload]);
  const sum = internetChecksum(pseudoHeader(src.ip, dst.ip, 17, dgram.length), dgram);
  dgram.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return ethernet(ipv4(src.ip, dst.ip, 17, dgram));
}

/** An ordered list of frames with a clock that advances a little per packet. */
export class Capture {
  readonly packets: Packet[] = [];
  private clockUs: number;

  constructor(startMs = Date.UTC(2026, 0, 15, 9, 0, 0)) {
    this.clockUs = startMs * 1000;
  }

  add(frame: Buffer, gapUs = 500): void {
    this.clockUs += gapUs;
    this.packets.push({ timeUs: this.clockUs, frame });
  }

  /** Moves the clock on without a packet (e.g. to leave a threshold window). */
  wait(ms: number): void {
    this.clockUs += ms * 1000;
  }

  udp(src: Endpoint, dst: Endpoint, payload: Buffer): void {
    this.add(udpFrame(src, dst, payload));
  }

  /** A lone SYN (a scanner's probe or a connection that never completes). */
  syn(src: Endpoint, dst: Endpoint): void {
    this.add(tcpFrame(src, dst, TCP_SYN, 1000 + dst.port, 0));
  }

  /** A closed port's answer to a SYN. */
  synRefused(src: Endpoint, dst: Endpoint): void {
    this.syn(src, dst);
    this.add(tcpFrame(dst, src, TCP_RST | TCP_ACK, 0, 1001 + dst.port));
  }

  tcp(client: Endpoint, server: Endpoint): TcpSession {
    return new TcpSession(this, client, server);
  }

  toBuffer(): Buffer {
    const g = Buffer.alloc(24);
    g.writeUInt32LE(0xa1b2c3d4, 0);
    g.writeUInt16LE(2, 4);
    g.writeUInt16LE(4, 6);
    g.writeUInt32LE(262144, 16);
    g.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    const records = this.packets.map((p) => {
      const r = Buffer.alloc(16);
      r.writeUInt32LE(Math.floor(p.timeUs / 1e6), 0);
      r.writeUInt32LE(p.timeUs % 1e6, 4);
      r.writeUInt32LE(p.frame.length, 8);
      r.writeUInt32LE(p.frame.length, 12);
      return Buffer.concat([r, p.frame]);
    });
    return Buffer.concat([g, ...records]);
  }
}

/** One TCP connection: handshake on creation, then data either way, each segment acknowledged. */
export class TcpSession {
  private clientSeq: number;
  private serverSeq: number;

  constructor(
    private readonly cap: Capture,
    readonly client: Endpoint,
    readonly server: Endpoint,
  ) {
    this.clientSeq = 0x10000000 + client.port * 7;
    this.serverSeq = 0x20000000 + server.port * 13;
    cap.add(tcpFrame(client, server, TCP_SYN, this.clientSeq++, 0));
    cap.add(tcpFrame(server, client, TCP_SYN | TCP_ACK, this.serverSeq++, this.clientSeq));
    cap.add(tcpFrame(client, server, TCP_ACK, this.clientSeq, this.serverSeq));
  }

  fromClient(data: Buffer | string): this {
    return this.send(true, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  fromServer(data: Buffer | string): this {
    return this.send(false, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  private send(fromClient: boolean, data: Buffer): this {
    const [src, dst] = fromClient ? [this.client, this.server] : [this.server, this.client];
    for (let off = 0; off < data.length; off += MSS) {
      const chunk = data.subarray(off, off + MSS);
      const seq = fromClient ? this.clientSeq : this.serverSeq;
      const ack = fromClient ? this.serverSeq : this.clientSeq;
      this.cap.add(tcpFrame(src, dst, TCP_PSH | TCP_ACK, seq, ack, chunk));
      if (fromClient) this.clientSeq += chunk.length;
      else this.serverSeq += chunk.length;
      this.cap.add(
        tcpFrame(
          dst,
          src,
          TCP_ACK,
          fromClient ? this.serverSeq : this.clientSeq,
          fromClient ? this.clientSeq : this.serverSeq,
        ),
      );
    }
    return this;
  }

  /** Orderly close started by the client (FIN, FIN-ACK, ACK). */
  close(): void {
    this.cap.add(tcpFrame(this.client, this.server, TCP_FIN | TCP_ACK, this.clientSeq++, this.serverSeq));
    this.cap.add(tcpFrame(this.server, this.client, TCP_FIN | TCP_ACK, this.serverSeq++, this.clientSeq));
    this.cap.add(tcpFrame(this.client, this.server, TCP_ACK, this.clientSeq, this.serverSeq));
  }
}

/** ICMP destination unreachable (type 3) quoting the offending datagram's IP header + 8 bytes, as routers and hosts send it. */
export function icmpUnreachableFrame(from: string, to: string, code: number, offending: Buffer): Buffer {
  const ipStart = 14;
  const quoted = offending.subarray(ipStart, ipStart + 28);
  const h = Buffer.alloc(8);
  h[0] = 3;
  h[1] = code;
  const msg = Buffer.concat([h, quoted]);
  msg.writeUInt16BE(internetChecksum(msg), 2);
  return ethernet(ipv4(from, to, 1, msg));
}
