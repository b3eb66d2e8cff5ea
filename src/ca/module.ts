import type { PlatformModule } from '../core/index.ts';
import type { DeviceKeyStore } from '../device/index.ts';
import { CertificateAuthority } from './authority.ts';
import { openCaKeyStore, type CaKeyStoreOptions } from './keystore-open.ts';
import { caMigrations } from './schema.ts';
import { caRoutes } from './routes.ts';
import { CA } from './services.ts';

export interface CaModuleOptions extends CaKeyStoreOptions {
  /** How long a `good` status stays cached at connect time (revocations invalidate at once). Default 60 s. */
  statusCacheMs?: number;
}

/**
 * The device and service certificate authority as a platform module: its tables, policy, routes
 * and the `CA` service the hub's mTLS listeners use.
 */
export function caModule(opts: CaModuleOptions = {}): PlatformModule & { authority(): CertificateAuthority } {
  let authority: CertificateAuthority | undefined;
  let keyStore: DeviceKeyStore | undefined;
  const need = () => {
    if (!authority) throw new Error('the CA module has not started');
    return authority;
  };
  return {
    name: 'ca',
    provides: [CA],
    migrations: caMigrations,
    policy: [
      {
        id: 'ca-holders-request',
        effect: 'allow',
        roles: '*',
        actions: ['ca:certificate:request', 'ca:certificate:read', 'ca:certificate:revoke'],
        scope: 'self',
        description: 'devices and services get, renew, list and revoke their own client certificates',
      },
      {
        id: 'ca-operators',
        effect: 'allow',
        roles: ['operator'],
        actions: ['ca:certificate:read', 'ca:certificate:revoke'],
        scope: 'own-org',
        description: "operators see and revoke their organisation's certificates",
      },
    ],
    async start(ctx) {
      keyStore = await openCaKeyStore(ctx.config.dataDir, opts);
      authority = await CertificateAuthority.open({
        keyStore,
        store: ctx.store,
        bus: ctx.bus,
        clock: ctx.clock,
        logger: ctx.logger,
        crlUrl: () => (ctx.serverUrl() ? `${ctx.serverUrl()}/api/v1/ca/crl` : undefined),
        ...(opts.statusCacheMs !== undefined ? { statusCacheMs: opts.statusCacheMs } : {}),
      });
      ctx.services.provide(CA, authority);
    },
    async routes(app) {
      await caRoutes(app, need());
    },
    async stop() {
      authority?.close();
      await keyStore?.close();
    },
    authority: need,
  };
}
