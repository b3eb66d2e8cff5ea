import { readFileSync } from 'node:fs';
import { ACCEPTED_READINGS, type ModuleContext, type PlatformModule } from '../core/index.ts';
import { CA, renewalDue } from '../ca/index.ts';
import { IAM } from '../iam/index.ts';
import { certificateLogin, enrolledKeyLookup, hubServerCertificate } from './devices/certificate-login.ts';
import { MtlsReadingListener } from './devices/mtls-readings.ts';
import { startDemoMtls, type DemoMtlsResult } from './devices/demo-mtls.ts';
import { HubBroker } from './broker/broker.ts';
import { RefusalReporter } from './broker/refusals.ts';
import { DEFAULT_THROTTLE, type ThrottleLimits } from './broker/throttle.ts';
import type { AcceptedReading } from './contracts.ts';
import { DeviceDemo } from './devices/demo.ts';
import { devicePolicy } from './devices/policy.ts';
import { deviceRoutes } from './devices/routes/devices.ts';
import { enrollmentRoutes } from './devices/routes/enrollment.ts';
import { readingRoutes } from './devices/routes/readings.ts';
import { DevicesHub, type DevicesOptions } from './devices/service.ts';
import { deviceMigrations } from './devices/schema.ts';
import { HUB_BROKER, HUB_DEVICES, HUB_GRANTS, HUB_HISTORY, HUB_LIVE_FEED, HUB_TWINS } from './services.ts';
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

/** The hub's own TLS server certificate from the CA (renewed at two thirds of its life). */
const SERVER_CERT_LIFETIME_S = 30 * 24 * 3600;

export interface HubOptions {
  /** Device side: freshness window, credential audience. */
  devices?: DevicesOptions;
  /** Days of history kept; older readings are deleted hourly. Default 365. */
  retentionDays?: number;
  /** The embedded MQTT broker; `false` runs the hub without it. Port defaults to config.mqttPort. */
  broker?:
    | false
    | {
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

/**
 * The city data hub as one platform module. The device side (registry, enrollment, the one
 * verification path, attestation, keys) hands every admitted reading to the data side (history,
 * twins, the MQTT broker, server-sent events, bridging, federation) by constructor: the reading
 * is stored durably first, and only then fanned out to subscribers, partners and the ledger.
 */
export function hubModule(opts: HubOptions = {}): PlatformModule & { demoMtls(): DemoMtlsResult | undefined } {
  let ctx: ModuleContext | undefined;
  let devices: DevicesHub | undefined;
  let demo: DeviceDemo | undefined;
  let demoMtls: DemoMtlsResult | undefined;
  const grants = new GrantStore({ now: () => ctx?.clock.now() ?? Date.now() });
  const feed = new LiveFeed();
  let twins: TwinStore | undefined;
  let history: HistoryStore | undefined;
  let broker: HubBroker | undefined;
  let bridge: MqttBridge | undefined;
  let agreements: AgreementStore | undefined;
  let links: FederationLinks | undefined;
  let mtlsReadings: MtlsReadingListener | undefined;
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

  /** Store first (durably), then fan out: nobody sees a reading whose history row could still fail. */
  const onReading = async (
    r: AcceptedReading,
    origin: string | null = null,
    originSeq: number | null = null,
    signature: string = r.signature,
  ) => {
    await history!.append({
      org: r.org,
      provider: r.provider,
      service: r.service,
      resource: r.resource,
      device_id: r.deviceId,
      counter: r.counter,
      ts: r.timestamp,
      received_at: r.receivedAt,
      value: r.value,
      unit: r.unit ?? null,
      signature,
      attestation: r.attestation,
      origin,
      origin_seq: originSeq,
      cose: r.cose.length > 0 ? r.cose : null,
    });
    twins!.enqueue({ ...r, origin });
    feed.emit(r);
    if (broker)
      void broker
        .publishReading(r)
        .catch((err: unknown) => ctx!.logger.warn({ err }, 'publishing a reading on MQTT failed'));
    bridge?.forwardReading(r);
  };

  const needDevices = (): DevicesHub => {
    if (!devices) throw new Error('the hub module has not started');
    return devices;
  };

  return {
    name: 'hub',
    needs: [IAM],
    // The CA, when it runs: devices and services then connect with its certificates (mTLS).
    uses: [CA],
    provides: [HUB_DEVICES, HUB_TWINS, HUB_HISTORY, HUB_GRANTS, HUB_LIVE_FEED, HUB_BROKER, ACCEPTED_READINGS],
    migrations: [...deviceMigrations, ...twinMigrations, ...historyMigrations, ...federationMigrations],
    policy: [
      ...devicePolicy,
      ...twinPolicy(grants),
      {
        id: 'hub-federation-push',
        effect: 'allow',
        roles: '*',
        actions: ['hub:federation:push'],
        scope: 'any',
        description: 'partners push under an agreement; the handler binds the caller to it',
      },
    ],

    async start(c) {
      ctx = c;
      const iam = c.services.get(IAM);
      twins = new TwinStore(c.store, c.clock, c.logger);
      history = new HistoryStore(c.store, c.logger);
      devices = new DevicesHub(c, iam, { accept: (r) => onReading(r) }, opts.devices);
      c.access.addAuthenticator(devices.deviceAuth.authenticator);
      await grants.start(c.store);
      stoppers.push(() => grants.stop());
      const twinTimer = setInterval(
        () => void twins!.flush().catch((err: unknown) => c.logger.error({ err }, 'twin update failed')),
        100,
      );
      twinTimer.unref();
      stoppers.push(() => clearInterval(twinTimer));
      stoppers.push(startRetention(history, opts.retentionDays ?? 365, () => c.clock.now(), c.logger));

      const ca = c.services.find(CA);
      let mtls: { cert: string; key: string; ca: string; login: ReturnType<typeof certificateLogin> } | undefined;
      if (ca) {
        ca.deviceKeys = enrolledKeyLookup(devices.cache);
        if (c.config.mqttMtlsPort !== undefined || c.config.mtlsHttpPort !== undefined) {
          const server = await hubServerCertificate(ca, c.config.host, SERVER_CERT_LIFETIME_S);
          mtls = { cert: server.cert, key: server.key, ca: ca.pem, login: certificateLogin(ca, devices.cache, iam) };
          let current = server;
          const renew = setInterval(() => {
            if (!renewalDue(current, c.clock.now())) return;
            void hubServerCertificate(ca, c.config.host, SERVER_CERT_LIFETIME_S).then(
              (next) => {
                current = next;
                broker?.setMtlsCertificate(next.cert, next.key);
                mtlsReadings?.setCertificate(next.cert, next.key);
              },
              (err: unknown) => c.logger.warn({ err }, 'renewing the hub server certificate failed'),
            );
          }, 3600_000);
          renew.unref();
          stoppers.push(() => clearInterval(renew));
        }
      }
      if (mtls && c.config.mtlsHttpPort !== undefined) {
        mtlsReadings = new MtlsReadingListener({
          host: c.config.host,
          port: c.config.mtlsHttpPort,
          ...mtls,
          ingestor: devices.ingestor,
          logger: c.logger,
        });
        await mtlsReadings.start();
        const l = mtlsReadings;
        stoppers.push(() => l.close());
        c.logger.info({ port: l.port }, 'hub mTLS reading listener');
      }
      if (opts.broker !== false) {
        const b = opts.broker ?? {};
        const tls =
          c.config.tlsCertFile && c.config.tlsKeyFile
            ? {
                cert: readFileSync(c.config.tlsCertFile),
                key: readFileSync(c.config.tlsKeyFile),
                ca: b.clientCaFile ? readFileSync(b.clientCaFile) : undefined,
                requireClientCert: Boolean(b.clientCaFile),
              }
            : undefined;
        broker = new HubBroker(
          {
            host: c.config.host,
            port: b.port ?? c.config.mqttPort,
            maxPacketBytes: b.maxPacketBytes ?? 64 * 1024,
            throttle: { ...DEFAULT_THROTTLE, ...b.throttle },
            tls,
            redisUrl: c.config.redisUrl,
            mtls: mtls && c.config.mqttMtlsPort !== undefined ? { port: c.config.mqttMtlsPort, ...mtls } : undefined,
          },
          {
            iam,
            grants,
            deviceAuth: devices.deviceAuth,
            ingest: devices.ingestor,
            refusals: new RefusalReporter(c.metrics, iam.audit, c.bus, c.logger),
            logger: c.logger,
            now: () => Date.now(),
          },
        );
        await broker.start();
        c.logger.info(
          {
            port: broker.port,
            tls: Boolean(tls),
            mtlsPort: broker.mtlsPort || undefined,
            redis: Boolean(c.config.redisUrl),
          },
          'hub MQTT broker listening',
        );
      }
      agreements = new AgreementStore(c.store, c.clock, SecretBox.forDataDir(c.config.dataDir));
      const d = devices;
      links = new FederationLinks(
        agreements,
        history,
        c.logger,
        () => c.clock.now(),
        (id, cose, at) => d.signingKeyFor(id, cose, at),
        opts.federationPollMs,
      );
      await links.start();
      stoppers.push(() => links!.stop());
      if (opts.bridge) {
        bridge = new MqttBridge(opts.bridge, c.logger, async (topic, payload) => {
          await broker?.publishLocal(topic, payload);
        });
        await bridge.start();
      }
      c.services.provide(HUB_DEVICES, devices);
      c.services.provide(HUB_TWINS, twins);
      c.services.provide(HUB_HISTORY, history);
      c.services.provide(HUB_GRANTS, grants);
      c.services.provide(HUB_LIVE_FEED, feed);
      c.services.provide(HUB_BROKER, broker);
      c.services.provide(
        ACCEPTED_READINGS,
        history.outbox(() => c.clock.now()),
      );
    },

    async routes(app, c) {
      const d = needDevices();
      const iam = c.services.get(IAM);
      await enrollmentRoutes(app, d, c.config.auth.enrollmentRateLimitPerMinute);
      await deviceRoutes(app, d, iam);
      await readingRoutes(app, d);
      const hub = services();
      await twinRoutes(app, c, hub);
      await grantRoutes(app, c, grants);
      await historyRoutes(app, c, hub);
      await sseRoutes(app, c, feed, grants, hub.twins);
      const importer: ImporterDeps = {
        agreements: agreements!,
        platformKey: c.platformKey,
        now: () => c.clock.now(),
        apply: (r, origin, seq, signature) => onReading(r, origin, seq, signature),
      };
      await federationRoutes(app, c, agreements!, links!, importer);
    },

    async demo(c) {
      // The devices' demo creates both cities; their twins' metadata is seeded after.
      demo = new DeviceDemo(c, needDevices());
      await demo.start();
      await seedDemoTwins(c, twins!);
      // With the CA and the mTLS MQTT listener: demo devices get client certificates, one connects with its own.
      const ca = c.services.find(CA);
      const d = demo;
      if (ca && broker?.mtlsPort)
        demoMtls = await startDemoMtls(c, needDevices(), ca, broker.mtlsPort, (id) => d.device(id)).catch(
          (err: unknown) => {
            c.logger.warn({ err }, 'demo: mTLS device certificates failed');
            return undefined;
          },
        );
    },
    demoMtls: () => demoMtls,

    async stop() {
      await demo?.stop();
      devices?.offQuarantine();
      await devices?.guard.drain();
      for (const s of stoppers.reverse()) await s();
      await bridge?.close();
      await broker?.close();
      await twins?.flush().catch(() => {});
      await history?.stop();
    },
  };
}
