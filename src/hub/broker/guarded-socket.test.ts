import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GuardVerdict } from './frame-guard.ts';
import { guardSocket } from './guarded-socket.ts';

type Violation = Exclude<GuardVerdict, { ok: true }>;

/** A server whose accepted socket is guarded; returns what the reader saw and the violations. */
async function guarded(
  maxPacketBytes: number,
): Promise<{ server: Server; port: number; received: Buffer[]; violations: Violation[]; closed: Promise<void> }> {
  const received: Buffer[] = [];
  const violations: Violation[] = [];
  let onClose: () => void = () => {};
  const closed = new Promise<void>((r) => (onClose = r));
  const server = createServer((raw: Socket) => {
    const s = guardSocket(raw, maxPacketBytes, (v) => violations.push(v));
    // Read like aedes does: paused mode, read() on 'readable'.
    s.on('readable', () => {
      for (let b = s.read() as Buffer | null; b; b = s.read() as Buffer | null) received.push(b);
    });
    s.on('close', () => onClose());
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, received, violations, closed };
}

function send(port: number, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1', async () => {
      for (const chunk of chunks) {
        c.write(chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      c.end();
    });
    c.on('error', () => undefined);
    c.on('close', () => resolve());
  });
}

describe('guardSocket', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('passes packets under the limit through unchanged, split anywhere', async () => {
    const g = await guarded(100);
    server = g.server;
    const packet = Buffer.concat([Buffer.from([0x30, 10]), Buffer.alloc(10, 1), Buffer.from([0xc0, 0x00])]);
    await send(g.port, [packet.subarray(0, 1), packet.subarray(1, 5), packet.subarray(5)]);
    await g.closed;
    expect(Buffer.concat(g.received)).toEqual(packet);
    expect(g.violations).toEqual([]);
  });

  it('refuses an oversized packet from its fixed header: the body is never buffered', async () => {
    const g = await guarded(100);
    server = g.server;
    // PUBLISH declaring 200 bytes (0xc8 0x01), then its body in a later chunk.
    await send(g.port, [Buffer.from([0x30, 0xc8, 0x01]), Buffer.alloc(200, 2)]);
    await g.closed;
    expect(g.violations).toEqual([{ ok: false, reason: 'too-large', declared: 200 }]);
    expect(Buffer.concat(g.received).length).toBe(0);
  });

  it('refuses a malformed variable length', async () => {
    const g = await guarded(1 << 30);
    server = g.server;
    await send(g.port, [Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])]);
    await g.closed;
    expect(g.violations).toEqual([{ ok: false, reason: 'malformed' }]);
  });
});
