import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { signReading, createDeviceCredential, enrollDevice } from '../src/device/index.ts';
import { SUBJECTS } from '../src/core/index.ts';
import { HUB_HISTORY, HUB_LIVE_FEED } from '../src/hub/index.ts';
import { waitFor } from './helpers/net.ts';
import { startDeviceHub, postReading, type DeviceHubFixture } from './helpers/devices.ts';

const META = {
  name: 'Thermometer',
  type: 'outdoor weather',
  transducers: [{ name: 'temperature', id: 'temp', units: 'Cel' }],
};

describe('acknowledged readings are stored', () => {
  let f: DeviceHubFixture;
  beforeAll(async () => {
    f = await startDeviceHub();
  });
  afterAll(async () => f?.close());

  it('every reading acknowledged with 202 is already in the history when the answer arrives', async () => {
    const store = await f.softwareStore('dur-1');
    await enrollDevice({ hub: f.url, token: await f.token(), deviceId: 'dur-1', keyStore: store, metadata: META });
    const credential = await createDeviceCredential(store, 'signing', 'dur-1');
    const history = f.t.platform.ctx.services.get(HUB_HISTORY);
    const count = async () =>
      Number(
        (
          await history.db
            .selectFrom('hub_history')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('device_id', '=', 'dur-1')
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 1; i <= 5; i++) {
      const bytes = await signReading(store, 'signing', 'dur-1', {
        deviceId: 'dur-1',
        resource: 'dur-1/weather/temp',
        value: 20 + i,
        unit: 'Cel',
        counter: i,
        timestamp: Date.now(),
      });
      const res = await postReading(f.url, bytes, credential);
      expect(res.status).toBe(202);
      // No waiting, no flush: the acknowledgement itself promises durability.
      expect(await count()).toBe(i);
    }
  });
});

describe('store before fan-out', () => {
  let f: DeviceHubFixture;
  beforeAll(async () => {
    f = await startDeviceHub();
  });
  afterAll(async () => f?.close());

  it('a reading whose history write failed reaches nobody, and its retry is accepted exactly once', async () => {
    const store = await f.softwareStore('sbf-1');
    await enrollDevice({ hub: f.url, token: await f.token(), deviceId: 'sbf-1', keyStore: store, metadata: META });
    const credential = await createDeviceCredential(store, 'signing', 'sbf-1');
    const history = f.t.platform.ctx.services.get(HUB_HISTORY);
    const seenLive: number[] = [];
    f.t.platform.ctx.services.get(HUB_LIVE_FEED).on((r) => void (r.deviceId === 'sbf-1' && seenLive.push(r.counter)));
    const seenOnBus: number[] = [];
    f.t.platform.ctx.bus.subscribe(
      SUBJECTS.readingAccepted,
      (e) =>
        void (
          (e.data as { deviceId: string }).deviceId === 'sbf-1' &&
          seenOnBus.push((e.data as { counter: number }).counter)
        ),
    );

    // The store fails once, as a full disk or a lost database connection would.
    const append = history.append.bind(history);
    let failures = 1;
    history.append = (row) => (failures-- > 0 ? Promise.reject(new Error('disk full')) : append(row));

    const bytes = await signReading(store, 'signing', 'sbf-1', {
      deviceId: 'sbf-1',
      resource: 'sbf-1/weather/temp',
      value: 21,
      unit: 'Cel',
      counter: 1,
      timestamp: Date.now(),
    });
    const failed = await postReading(f.url, bytes, credential);
    expect(failed.status).toBe(503);
    expect(failed.body.error?.code).toBe('UNAVAILABLE');
    expect(seenLive).toEqual([]);
    expect(seenOnBus).toEqual([]);

    // The device retries the very same bytes: accepted, stored once, fanned out once.
    const retried = await postReading(f.url, bytes, credential);
    expect(retried.status).toBe(202);
    const rows = await history.db
      .selectFrom('hub_history')
      .select(['counter'])
      .where('device_id', '=', 'sbf-1')
      .execute();
    expect(rows.map((r) => Number(r.counter))).toEqual([1]);
    expect(seenLive).toEqual([1]);
    await waitFor(async () => seenOnBus.length > 0, 10_000, 'the accepted event');
    expect(seenOnBus).toEqual([1]);
    // And a second retry is a replay again.
    expect((await postReading(f.url, bytes, credential)).body.error?.code).toBe('READING_REPLAYED');
  });
});
