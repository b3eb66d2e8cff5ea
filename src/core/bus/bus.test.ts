import { describe, it, expect, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { EventBus, BusEvent } from './bus.ts';
import { MemoryBus } from './memory.ts';
import { connect } from 'nats';
import { NatsBus } from './nats.ts';

const NATS_URL = process.env.MSEC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Both sides of the bus port run the same suite. */
const buses: Array<{ name: string; open(): Promise<{ a: EventBus; b: EventBus; close?: () => Promise<void> }> }> = [
  {
    name: 'in-process',
    async open() {
      const bus = new MemoryBus();
      return { a: bus, b: bus };
    },
  },
  {
    name: 'NATS JetStream',
    async open() {
      // Two connections stand for two processes sharing one NATS.
      const prefix = `t${randomBytes(4).toString('hex')}`;
      const stream = `TEST_${prefix.toUpperCase()}`;
      const a = await NatsBus.connect({ url: NATS_URL, prefix, stream, maxAgeSeconds: 60 });
      const b = await NatsBus.connect({ url: NATS_URL, prefix, stream, maxAgeSeconds: 60 });
      const close = async () => {
        await a.close();
        await b.close();
        const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
        await (await nc.jetstreamManager()).streams.delete(stream);
        await nc.close();
      };
      return { a, b, close };
    },
  },
];

function collect(bus: EventBus, pattern: string): BusEvent[] {
  const got: BusEvent[] = [];
  bus.subscribe(pattern, (e) => {
    got.push(e);
  });
  return got;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe.each(buses)('event bus port: $name', (impl) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('fans out to every matching subscriber, keeps order and binary payloads', async () => {
    const { a, b, close: closeBoth } = await impl.open();
    close = closeBoth ?? (() => a.close());
    const all = collect(b, 'hub.>');
    const one = collect(a, 'hub.reading.*');
    const other = collect(b, 'monitor.>');
    await new Promise((r) => setTimeout(r, 50));
    const cose = new Uint8Array([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26]);
    for (let i = 0; i < 20; i++) await a.publish('hub.reading.accepted', { i, cose });
    await until(() => all.length === 20 && one.length === 20);
    expect(all.map((e) => (e.data as { i: number }).i)).toEqual([...Array(20).keys()]);
    expect(one).toHaveLength(20);
    expect(other).toHaveLength(0);
    expect(Buffer.from((all[0]!.data as { cose: Uint8Array }).cose)).toEqual(Buffer.from(cose));
    expect(all[0]!.subject).toBe('hub.reading.accepted');
  });

  it('a queue group gets each event once, shared among its members across processes; others still get all', async () => {
    const { a, b, close: closeBoth } = await impl.open();
    close = closeBoth ?? (() => a.close());
    const groupA: BusEvent[] = [];
    const groupB: BusEvent[] = [];
    a.subscribe('hub.reading.*', (e) => void groupA.push(e), { queue: 'ledger' });
    b.subscribe('hub.reading.*', (e) => void groupB.push(e), { queue: 'ledger' });
    const everyone = collect(b, 'hub.reading.*');
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 40; i++) await a.publish('hub.reading.accepted', { i });
    await until(() => everyone.length === 40 && groupA.length + groupB.length === 40);
    await new Promise((r) => setTimeout(r, 50)); // nothing more arrives
    const delivered = [...groupA, ...groupB].map((e) => (e.data as { i: number }).i).sort((x, y) => x - y);
    expect(delivered).toEqual([...Array(40).keys()]);
    expect(everyone).toHaveLength(40);
  });
});
