import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Store } from '../../core/index.ts';
import { storeCases } from '../../../test/helpers/stores.ts';
import { HistoryStore, type NewHistoryRow } from './history-store.ts';
import { historyMigrations } from './schema.ts';

const path = { provider: 'air-1', service: 'weather', resource: 'temperature' };

function row(
  counter: number,
  ts: number,
  value: number | string | boolean,
  over: Partial<NewHistoryRow> = {},
): NewHistoryRow {
  return {
    org: 'santander',
    ...path,
    device_id: 'dev-1',
    counter,
    ts,
    received_at: 1_000_000 + counter,
    value,
    unit: 'C',
    signature: 'verified',
    attestation: 'unattested',
    origin: null,
    origin_seq: null,
    cose: null,
    ...over,
  };
}

describe.each(storeCases)('history store on $name', (sc) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let history: HistoryStore;

  beforeAll(async () => {
    ({ store, cleanup } = await sc.open(historyMigrations));
    history = new HistoryStore(store, silentLogger());
    // 100 points one second apart from t=0, values 0..99, appended in a shuffled order.
    const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    await Promise.all(order.map((i) => history.append(row(i, i * 1000, i))));
    // Redelivery of the same reading is ignored.
    await history.append(row(5, 5000, 5));
  });
  afterAll(async () => cleanup());

  it('returns the time range oldest first and pages through it with a cursor', async () => {
    const first = await history.range(path, { from: 10_000, to: 40_000, limit: 20 });
    expect(first.items.map((p) => p.value)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(first.nextCursor).not.toBeNull();
    const second = await history.range(path, { from: 10_000, to: 40_000, limit: 20, cursor: first.nextCursor! });
    expect(second.items.map((p) => p.value)).toEqual(Array.from({ length: 10 }, (_, i) => 30 + i));
    expect(second.nextCursor).toBeNull();
    expect(second.items[0]).toMatchObject({ unit: 'C', deviceId: 'dev-1', signature: 'verified', origin: null });
  });

  it('downsamples into aligned buckets with count, min, max and avg', async () => {
    const b = await history.buckets(path, 0, 100_000, 10_000);
    expect(b).toHaveLength(10);
    expect(b[0]).toEqual({ start: 0, count: 10, min: 0, max: 9, avg: 4.5 });
    expect(b[9]).toEqual({ start: 90_000, count: 10, min: 90, max: 99, avg: 94.5 });
    const shifted = await history.buckets(path, 5_000, 25_000, 10_000);
    expect(shifted.map((x) => [x.start, x.count, x.min, x.max])).toEqual([
      [5_000, 10, 5, 14],
      [15_000, 10, 15, 24],
    ]);
  });

  it('latest is the newest by device time even when it arrived first', async () => {
    await history.append(row(1000, 50, 'late-old', { device_id: 'dev-2' }));
    const latest = await history.latest(path);
    expect(latest?.value).toBe(99);
    expect(latest?.timestamp).toBe(99_000);
  });

  it('retention deletes what was received before the cutoff', async () => {
    const other = { ...path, resource: 'humidity' };
    await history.append(row(1, 1, 1, { ...other, device_id: 'dev-3', received_at: 10 }));
    await history.append(row(2, 2, 2, { ...other, device_id: 'dev-3', received_at: 9_999_999_999 }));
    const deleted = await history.deleteReceivedBefore(100);
    expect(deleted).toBe(1);
    const left = await history.range(other, { from: 0, to: 10, limit: 10 });
    expect(left.items.map((p) => p.value)).toEqual([2]);
  });

  it('exports only local readings after a sequence number', async () => {
    await history.append(row(7, 7, 7, { device_id: 'fujisawa~x', origin: 'fujisawa', origin_seq: 1 }));
    const rows = await history.localAfter(0, 1000, Number.MAX_SAFE_INTEGER);
    expect(rows.every((r) => r.origin === null)).toBe(true);
    const ids = rows.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const after = await history.localAfter(ids[50]!, 10, Number.MAX_SAFE_INTEGER);
    expect(after[0]!.id).toBeGreaterThan(ids[50]!);
  });

  it('stores every column as given: text and boolean values, no unit, COSE bytes, federation origin', async () => {
    const cose = Uint8Array.from([0xd2, 0x84, 0x00, 0xff, 0x10]);
    const other = { ...path, resource: 'mixed' };
    await Promise.all([
      history.append(row(1, 1, 'it\u2019s "ok"', { ...other, device_id: 'dev-4', unit: null, cose })),
      history.append(row(2, 2, true, { ...other, device_id: 'dev-4', attestation: 'attested' })),
      history.append(row(3, 3, 2.5, { ...other, device_id: 'dev-4', origin: 'partner', origin_seq: 9_007_199_254 })),
    ]);
    const rows = await history.db
      .selectFrom('hub_history')
      .selectAll()
      .where('resource', '=', 'mixed')
      .orderBy('ts')
      .execute();
    expect(
      rows.map((r) => [
        r.value,
        r.value_num === null ? null : Number(r.value_num),
        r.unit,
        r.attestation,
        r.origin,
        r.origin_seq === null ? null : Number(r.origin_seq),
      ]),
    ).toEqual([
      ['"it\u2019s \\"ok\\""', null, null, 'unattested', null, null],
      ['true', 1, 'C', 'attested', null, null],
      ['2.5', 2.5, 'C', 'unattested', 'partner', 9_007_199_254],
    ]);
    expect(Buffer.from(rows[0]!.cose!)).toEqual(Buffer.from(cose));
    expect(rows[1]!.cose).toBeNull();
    expect(Number(rows[0]!.counter)).toBe(1);
    expect(Number(rows[2]!.received_at)).toBe(1_000_003);
  });

  it('refuses too many buckets', async () => {
    await expect(history.buckets(path, 0, 10_000_000, 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
