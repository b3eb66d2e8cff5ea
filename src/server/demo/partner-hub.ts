/**
 * The demo's second hub: Fujisawa's own data hub, a separate platform (own data directory, store,
 * keys, HTTP listener on a free port) started inside the demo process, so the federation link
 * between the two hubs is real HTTP with mutual authentication, as between two cities.
 * It runs only the hub modules, on SQLite, and no MQTT broker: it is there to receive.
 */
import { join } from 'node:path';
import type { Config } from '../../core/index.ts';
import { hubModule } from '../../hub/index.ts';
import { startPlatform, type Platform } from '../platform.ts';
import { AdminSession } from './admin-session.ts';

/** What Santander shares with Fujisawa in the demo (provider/service/resource patterns). */
export const DEMO_SHARED_RESOURCES = ['*/weather/*', '*/air/*'];
/** Shared only as one-minute averages (parking occupancy rate), under pseudonyms: never single events. */
export const DEMO_AGGREGATED_RESOURCES = ['*/parking/*'];
const AGREEMENT_PREFIX = 'demo-sdr-fjs-';

export interface PartnerHub {
  platform: Platform;
  dataDir: string;
  agreementId: string;
  /** The agreement sharing parking occupancy as one-minute averages. */
  aggregateAgreementId: string;
  close(): Promise<void>;
}

function partnerConfig(main: Config): Config {
  return {
    ...main,
    dataDir: join(main.dataDir, 'demo-fujisawa'),
    host: '127.0.0.1',
    port: 0,
    mqttPort: 0,
    demo: false,
    roles: ['hub'],
    // Its own embedded store and bus: never the main hub's PostgreSQL, NATS, Redis or chain.
    databaseUrl: undefined,
    natsUrl: undefined,
    redisUrl: undefined,
    evmRpcUrl: undefined,
    tlsCertFile: undefined,
    tlsKeyFile: undefined,
  };
}

interface AgreementView {
  id: string;
  direction: string;
  status: string;
}

/** Revokes the demo agreements of earlier runs (their partner listened on another port, with another key). */
async function revokeStale(admin: AdminSession, keep: readonly string[]): Promise<void> {
  const { items } = await admin.expect<{ items: AgreementView[] }>([200], 'GET', '/api/v1/federation/agreements');
  for (const a of items) {
    if (a.id.startsWith(AGREEMENT_PREFIX) && !keep.includes(a.id) && a.status === 'active')
      await admin.expect([200], 'POST', `/api/v1/federation/agreements/${a.id}/revoke`);
  }
}

/**
 * Starts the Fujisawa hub and links Santander (the main platform) to it: Fujisawa's admin creates
 * a service principal and API key for Santander and an import agreement; Santander's admin an
 * export agreement with that key and Fujisawa's public key. Both through the hubs' REST APIs.
 */
export async function startPartnerHub(main: Platform): Promise<PartnerHub> {
  const config = partnerConfig(main.ctx.config);
  const platform = await startPlatform({
    config,
    modules: [hubModule({ broker: false })],
    logger: main.ctx.logger.child({ hub: 'fujisawa-partner' }),
  });
  try {
    const fujisawa = await AdminSession.open(platform.app, platform.ctx.iam);
    const santander = await AdminSession.open(main.app, main.ctx.iam);
    const dir = platform.ctx.iam.directory;
    if (!(await dir.getOrg('fujisawa')))
      await fujisawa.expect([201], 'POST', '/api/v1/orgs', { id: 'fujisawa', name: 'Fujisawa', kind: 'city' });
    const hubPrincipal =
      (await dir.findByName('santander-hub')) ??
      (await fujisawa.expect<{ id: string }>([201], 'POST', '/api/v1/principals', {
        org: 'fujisawa',
        kind: 'service',
        name: 'santander-hub',
        roles: ['provider'],
      }));
    const { key } = await fujisawa.expect<{ key: string }>([201], 'POST', '/api/v1/api-keys', {
      name: `santander-hub ${new Date().toISOString().slice(0, 19)}`,
      principalId: hubPrincipal.id,
      ttlSeconds: 30 * 86400,
    });

    // A fresh agreement per run (the partner's port changes); the partner applies idempotently, so the catch-up never duplicates.
    const agreementId = `${AGREEMENT_PREFIX}${Date.now().toString(36)}`;
    const aggregateAgreementId = `${agreementId}-avg`;
    await revokeStale(santander, [agreementId, aggregateAgreementId]);
    await revokeStale(fujisawa, [agreementId, aggregateAgreementId]);
    const partnerKey = (await fujisawa.expect<{ publicKey: unknown }>([200], 'GET', '/api/v1/federation/identity'))
      .publicKey;
    const validUntil = Date.now() + 365 * 86_400_000;
    const link = async (terms: Record<string, unknown>) => {
      await fujisawa.expect([201], 'POST', '/api/v1/federation/agreements', {
        ...terms,
        validUntil,
        direction: 'import',
        localOrg: 'fujisawa',
        partner: 'santander',
        principalId: hubPrincipal.id,
      });
      await santander.expect([201], 'POST', '/api/v1/federation/agreements', {
        ...terms,
        validUntil,
        direction: 'export',
        localOrg: 'santander',
        partner: 'fujisawa',
        endpoint: platform.url,
        credential: key,
        partnerKey,
      });
    };
    await link({ id: agreementId, resources: DEMO_SHARED_RESOURCES, pseudonymise: false, keepSignatures: true });
    await link({
      id: aggregateAgreementId,
      resources: DEMO_AGGREGATED_RESOURCES,
      pseudonymise: true,
      keepSignatures: false,
      decimals: 2,
      aggregate: { windowSeconds: 60, statistic: 'avg' },
    });
    return { platform, dataDir: config.dataDir, agreementId, aggregateAgreementId, close: () => platform.close() };
  } catch (err) {
    await platform.close();
    throw err;
  }
}
