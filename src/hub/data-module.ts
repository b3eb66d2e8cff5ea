import { readFileSync } from 'node:fs';
import type { ModuleContext, PlatformModule } from '../iam/index.ts';
import { HubBroker } from './broker/broker.ts';
import { RefusalReporter } from './broker/refusals.ts';
import { DEFAULT_THROTTLE, type ThrottleLimits } from './broker/throttle.ts';
import { SERVICE_NAMES, type AcceptedReading, type DeviceKeyLookup, type ReadingSink } from './contracts.ts';
import { historyRoutes } from './history/history-routes.ts';
import { HistoryStore, startRetention } from './history/history-store.ts';
import { historyMigrations } from './history/schema.ts';
import { LiveFeed } from './subscriptions/live-feed.ts';
import { sseRoutes } from './subscriptions/sse-routes.ts';
import { GrantStore } from './twins/grant-store.ts';
import { grantRoutes } from './twins/grant-routes.ts';
import { twinPolicy } from './twins/policy.ts';
import { twinMigrations } from './twins/schema.ts';
import type { HubDataServices } from './twins/services.ts';
import { twinRoutes } from './twins/twin-routes.ts';
import { TwinStore } from './twins/twin-store.ts';
import { MqttBridge, type BridgeOptions } from './broker/bridge.ts';
import { seedDemoTwins } from './twins/demo.ts';
import { AgreementStore } from './federation/agreements.ts';
import { SecretBox } from './federation/secret-box.ts';
import { FederationLinks } from './federation/federation.ts';
import { federationRoutes } from './federation/federation-routes.ts';
import { federationMigrations } from './federation/schema.ts';
import type { ImporterDeps } from './federation/importer.ts';

export interface HubDataOptions {
  /** Days of history kept; older readings are deleted hourly. Default 365. */
  retentionDays?: number;
  /** The embedded MQTT broker; `false` runs the hub without it. Port defaults to config.mqttPort. */
  broker?: false | {
    port?: number;
    maxPacketBytes?: number;
    throttle?: Partial<ThrottleLimits>;
    /** mTLS: CA file whose certificates clients must present (needs config.tlsCertFile/tlsKeyFile). */
    clientCaFile?: string;
  };
  /** How often an idle federation exporter looks for new readings, ms. Default 250. */
  federationPollMs?: number;
  /** Bridges topic trees to and from another MQTT broker (e.g. the system Mosquitto). */
  bridge?: BridgeOptions;
}

/** Service names the data side publishes on ctx.services. */
export const HUB_DATA_SERVICES = { twins: 'hub.twins', history: 'hub.history', grants: 'hub.grants', broker: 'hub.broker', feed: 'hub.live-feed' } as const;

/**
 * The data side of the city data hub: digital twins, access rules, history, the MQTT broker,
 * server-sent events, bridging and (see federation) sharing between hubs.
 */
export function hubDataModule(opts: HubDataOptions = {}): PlatformModule {
  let ctx: ModuleContext | undefined;
  const grants = new GrantStore({ now: () => ctx?.clock.now() ?? Date.now() });
  const feed = new LiveFeed();
  let twins: TwinStore | undefined;
  let history: HistoryStore | undefined;
  let broker: HubBroker | undefined;
  let bridge: MqttBridge | undefined;
  let agreements: AgreementStore | undefined;
  let links: FederationLinks | undefined;
  const stoppers: Array<() => void | Promise<void>> = [];

  const services = (): HubDataServices => ({
    twins: twins!,
    history: history!,
    grants,
    sendAction: async (deviceId, service, resource, payload) => {
      if (!broker) return false;
      await broker.sendAction(deviceId, service, resource, payload);
      return true;
    },
  });

  const onReading = async (r: AcceptedReading, origin: string | null = null, originSeq: number | null = null, signature: string = r.signature) => {
    twins!.enqueue({ ...r, origin });
    feed.emit(r);
    if (broker) void broker.publishReading(r).catch((err: unknown) => ctx!.logger.warn({ err }, 'publishing a reading on MQTT failed'));
    bridge?.forwardReading(r);
    await history!.append({
      org: r.org, provider: r.provider, service: r.service, resource: r.resource, device_id: r.deviceId, counter: r.counter,
      ts: r.timestamp, received_at: r.receivedAt, value: r.value, unit: r.unit ?? null, signature,
      attestation: r.attestation, origin, origin_seq: originSeq, cose: r.cose.length > 0 ? r.cose : null,
    });
  };

  return {
    name: 'hub-data',
    migrations: [...twinMigrations, ...historyMigrations, ...federationMigrations],
    policy: [
      ...twinPolicy(grants),
      { id: 'hub-federation-push', effect: 'allow', roles: '*', actions: ['hub:federation:push'], scope: 'any', description: 'partners push under an agreement; the handler binds the caller to it' },
    ],

    async start(c) {
      ctx = c;
      twins = new TwinStore(c.store, c.clock, c.logger);
      history = new HistoryStore(c.store, c.logger);
      await grants.start(c.store);
      stoppers.push(() => grants.stop());
      const twinTimer = setInterval(() => void twins!.flush().catch((err: unknown) => c.logger.error({ err }, 'twin update failed')), 100);
      twinTimer.unref();
      stoppers.push(() => clearInterval(twinTimer));
      stoppers.push(startRetention(history, opts.retentionDays ?? 365, () => c.clock.now(), c.logger));
      // The ingest path hands every accepted reading here and waits for it to be stored before
      // acknowledging it. Other hubs' readings reach local subscribers through the shared broker.
      const sink: ReadingSink = { accept: (r) => onReading(r) };
      c.services.set(SERVICE_NAMES.readingSink, sink);

      if (opts.broker !== false) {
        const b = opts.broker ?? {};
        const tls = c.config.tlsCertFile && c.config.tlsKeyFile
          ? { cert: readFileSync(c.config.tlsCertFile), key: readFileSync(c.config.tlsKeyFile), ca: b.clientCaFile ? readFileSync(b.clientCaFile) : undefined, requireClientCert: Boolean(b.clientCaFile) }
          : undefined;
        broker = new HubBroker(
          { host: c.config.host, port: b.port ?? c.config.mqttPort, maxPacketBytes: b.maxPacketBytes ?? 64 * 1024, throttle: { ...DEFAULT_THROTTLE, ...b.throttle }, tls, redisUrl: c.config.redisUrl },
          { iam: c.iam, grants, services: c.services, refusals: new RefusalReporter(c.metrics, c.iam.audit, c.bus, c.logger), logger: c.logger, now: () => Date.now() },
        );
        await broker.start();
        c.logger.info({ port: broker.port, tls: Boolean(tls), redis: Boolean(c.config.redisUrl) }, 'hub MQTT broker listening');
        c.services.set(HUB_DATA_SERVICES.broker, broker);
      }
      agreements = new AgreementStore(c.store, c.clock, SecretBox.forDataDir(c.config.dataDir));
      // Looked up per export, not at start: the devices module may start after this one.
      const deviceKey = async (id: string, cose: Uint8Array, receivedAt: number) =>
        (c.services.get(SERVICE_NAMES.devices) as DeviceKeyLookup | undefined)?.signingKeyFor(id, cose, receivedAt);
      links = new FederationLinks(agreements, history, c.logger, () => c.clock.now(), deviceKey, opts.federationPollMs);
      await links.start();
      stoppers.push(() => links!.stop());
      if (opts.bridge) {
        bridge = new MqttBridge(opts.bridge, c.logger, async (topic, payload) => {
          await broker?.publishLocal(topic, payload);
        });
        await bridge.start();
      }
      c.services.set(HUB_DATA_SERVICES.twins, twins);
      c.services.set(HUB_DATA_SERVICES.history, history);
      c.services.set(HUB_DATA_SERVICES.grants, grants);
      c.services.set(HUB_DATA_SERVICES.feed, feed);
    },

    async routes(app, c) {
      const hub = services();
      await twinRoutes(app, c, hub);
      await grantRoutes(app, c, grants);
      await historyRoutes(app, c, hub);
      await sseRoutes(app, c, feed, grants, hub.twins);
      const importer: ImporterDeps = {
        agreements: agreements!, platformKey: c.platformKey, now: () => c.clock.now(),
        apply: (r, origin, seq, signature) => onReading(r, origin, seq, signature),
      };
      await federationRoutes(app, c, agreements!, links!, importer);
    },

    async demo(c) {
      await seedDemoTwins(c, twins!);
    },

    async stop() {
      for (const s of stoppers.reverse()) await s();
      await bridge?.close();
      await broker?.close();
      await twins?.flush().catch(() => {});
      await history?.stop();
    },
  };
}
