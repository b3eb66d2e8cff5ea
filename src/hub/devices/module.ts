import type { FastifyInstance } from 'fastify';
import type { ModuleContext, PlatformModule } from '../../iam/index.ts';
import { SERVICE_NAMES } from '../contracts.ts';
import { DeviceDemo } from './demo.ts';
import { devicePolicy } from './policy.ts';
import { deviceRoutes } from './routes/devices.ts';
import { enrollmentRoutes } from './routes/enrollment.ts';
import { readingRoutes } from './routes/readings.ts';
import { DevicesHub, type DevicesOptions } from './service.ts';
import { deviceMigrations } from './tables.ts';

/**
 * The device side of the hub as a platform module: registry tables, policy, enrollment,
 * verification (HTTP here; MQTT through the `hub.ingest` and `hub.device-auth` services),
 * attestation, key management, and the demo devices of `msec up --demo`.
 */
export function devicesModule(opts: DevicesOptions = {}): PlatformModule {
  let hub: DevicesHub | undefined;
  let demo: DeviceDemo | undefined;
  const need = (): DevicesHub => {
    if (!hub) throw new Error('devices module used before start');
    return hub;
  };
  return {
    name: 'hub-devices',
    migrations: deviceMigrations,
    policy: devicePolicy,
    async start(ctx: ModuleContext) {
      hub = new DevicesHub(ctx, opts);
      ctx.iam.addAuthenticator(hub.deviceAuth.authenticator);
      ctx.services.set(SERVICE_NAMES.devices, hub);
      ctx.services.set(SERVICE_NAMES.ingest, hub.ingestor);
      ctx.services.set(SERVICE_NAMES.deviceAuth, hub.deviceAuth);
    },
    async routes(app: FastifyInstance, ctx: ModuleContext) {
      const h = need();
      await enrollmentRoutes(app, h, ctx.config.auth.enrollmentRateLimitPerMinute);
      await deviceRoutes(app, h, ctx.iam);
      await readingRoutes(app, h);
    },
    async demo(ctx: ModuleContext) {
      demo = new DeviceDemo(ctx, need());
      await demo.start();
    },
    async stop() {
      demo?.stop();
      hub?.offQuarantine();
      await hub?.guard.drain();
    },
  };
}
