import { loadOrCreatePlatformKey, migrate, openStore, systemClock, type Config, type Store } from '../core/index.ts';
import { Iam, bootstrapAdmin, iamMigrations } from '../iam/index.ts';

/**
 * Direct access to a platform's data directory for administration commands run on the host
 * (as `gitlab-rails` or `keycloak add-user` do), with the same store and IAM as the server.
 */
export async function openLocalIam(config: Config): Promise<{ iam: Iam; store: Store; close(): Promise<void> }> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrate(store, iamMigrations);
    const { key } = loadOrCreatePlatformKey(config.dataDir);
    const iam = new Iam({ store, key, clock: systemClock, auth: config.auth });
    await bootstrapAdmin(iam, config.dataDir);
    return { iam, store, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}
