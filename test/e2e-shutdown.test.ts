import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { createPrincipalWithKey, removeTempDirs, startMsecUp } from './helpers/e2e-platform.ts';

describe('graceful shutdown with MQTT clients connected', () => {
  afterAll(() => removeTempDirs());

  it('closes the broker and exits 0 on SIGTERM while a client is still connected', async () => {
    const hub = await startMsecUp();
    const ops = await createPrincipalWithKey(hub, 'santander', 'ops', ['operator']);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ops',
      password: ops.key,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    await client.subscribeAsync('data/santander/#', { qos: 1 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    expect(await hub.stop()).toBe(0);
    await closed;
    client.end(true);
  }, 60_000);
});
