import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { signReading, createDeviceCredential, enrollDevice } from '../src/device/index.ts';
import type { HistoryStore } from '../src/hub/history/history-store.ts';
import { startDeviceHub, postReading, type DeviceHubFixture } from './helpers/devices.ts';

const META = { name: 'Thermometer', type: 'outdoor weather', transducers: [{ name: 'temperature', id: 'temp', units: 'Cel' }] };

describe('acknowledged readings are stored', () => {
  let f: DeviceHubFixture;
  beforeAll(async () => {
    f = await startDeviceHub({ withHistory: true });
  });
  afterAll(async () => f?.close());

  it('every reading acknowledged with 202 is already in the history when the answer arrives', async () => {
    const store = await f.softwareStore('dur-1');
    await enrollDevice({ hub: f.url, token: await f.token(), deviceId: 'dur-1', keyStore: store, metadata: META });
    const credential = await createDeviceCredential(store, 'signing', 'dur-1');
    const history = f.t.platform.ctx.services.get('hub.history') as HistoryStore;
    const count = async () =>
      Number((await history.db.selectFrom('hub_history').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', 'dur-1').executeTakeFirstOrThrow()).n);
    for (let i = 1; i <= 5; i++) {
      const bytes = await signReading(store, 'signing', 'dur-1', { deviceId: 'dur-1', resource: 'dur-1/weather/temp', value: 20 + i, unit: 'Cel', counter: i, timestamp: Date.now() });
      const res = await postReading(f.url, bytes, credential);
      expect(res.status).toBe(202);
      // No waiting, no flush: the acknowledgement itself promises durability.
      expect(await count()).toBe(i);
    }
  });
});
