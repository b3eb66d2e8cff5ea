import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnp3Crc } from './iot-packets.ts';
import { Capture, internetChecksum, tcpFrame, udpFrame } from './pcap.ts';

const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const port = fc.integer({ min: 1, max: 65535 });

/** Sums a pseudo header + segment including its checksum field: a correct one sums to zero. */
function l4Verifies(frame: Buffer, proto: number): boolean {
  const ipHdr = frame.subarray(14, 34);
  const l4 = frame.subarray(34);
  const pseudo = Buffer.concat([ipHdr.subarray(12, 20), Buffer.from([0, proto, l4.length >> 8, l4.length & 0xff])]);
  return internetChecksum(pseudo, l4) === 0;
}

describe('test pcap writer', () => {
  it('writes IPv4, TCP and UDP checksums that verify', () => {
    fc.assert(
      fc.property(ip, ip, port, port, fc.uint8Array({ maxLength: 200 }), (a, b, pa, pb, payload) => {
        const t = tcpFrame({ ip: a, port: pa }, { ip: b, port: pb }, 0x18, 1, 2, Buffer.from(payload));
        expect(internetChecksum(t.subarray(14, 34))).toBe(0);
        expect(l4Verifies(t, 6)).toBe(true);
        const u = udpFrame({ ip: a, port: pa }, { ip: b, port: pb }, Buffer.from(payload));
        expect(internetChecksum(u.subarray(14, 34))).toBe(0);
        expect(l4Verifies(u, 17)).toBe(true);
      }),
    );
  });

  it('lays out a libpcap file: global header, then one record per frame in time order', () => {
    const cap = new Capture(1_700_000_000_000);
    cap.tcp({ ip: '203.0.113.1', port: 40000 }, { ip: '192.168.1.10', port: 23 }).fromClient('x'.repeat(3000)).close();
    const buf = cap.toBuffer();
    expect(buf.readUInt32LE(0)).toBe(0xa1b2c3d4);
    let off = 24;
    let n = 0;
    let last = 0;
    while (off < buf.length) {
      const t = buf.readUInt32LE(off) * 1e6 + buf.readUInt32LE(off + 4);
      expect(t).toBeGreaterThan(last);
      last = t;
      off += 16 + buf.readUInt32LE(off + 8);
      n++;
    }
    expect(off).toBe(buf.length);
    // handshake 3 + three 1460/1460/80 segments each acked (6) + close 3
    expect(n).toBe(12);
  });

  it('computes CRC-16/DNP with the catalogued check value', () => {
    // The CRC catalogue's check value of CRC-16/DNP over "123456789" is 0xEA82 (sent low byte first).
    expect(dnp3Crc(Buffer.from('123456789'))).toEqual(Buffer.from([0x82, 0xea]));
  });
});
