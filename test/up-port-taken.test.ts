/**
 * `msec up` whose port is taken exits with the error instead of running on half-started (it once
 * kept its MQTT listener and modules alive without an HTTP API, and a test harness waited on it).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { removeTempDirs, tempDataDir } from './helpers/e2e-platform.ts';
import { freePort } from './helpers/net.ts';

describe('msec up with a port already taken', () => {
  let blocker: Server | undefined;
  afterAll(async () => {
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
    removeTempDirs();
  });

  it('exits 1 with EADDRINUSE, for the HTTP port and for the MQTT port', async () => {
    const taken = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(taken, '127.0.0.1', () => r()));
    const free = await freePort();
    for (const [http, mqtt] of [
      [taken, free],
      [free, taken],
    ]) {
      const r = await runMsec(
        [
          'up',
          '--data-dir',
          tempDataDir(),
          '--port',
          String(http),
          '--mqtt-port',
          String(mqtt),
          '--log-level',
          'error',
        ],
        { timeoutMs: 90_000 },
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`EADDRINUSE: address already in use 127.0.0.1:${taken}`);
    }
  }, 200_000);
});
