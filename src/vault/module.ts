import { serviceKey } from '../core/index.ts';
import type { PolicyStatement, Role } from '../iam/index.ts';
import type { PlatformModule } from '../core/index.ts';
import { LEDGER_LOG } from '../ledger/index.ts';
import { VaultRepo } from './server/context.ts';
import { vaultRoutes } from './server/routes.ts';
import { vaultMigrations } from './server/schema.ts';

/** The vault's records, for modules that build on them. */
export const VAULT = serviceKey<VaultRepo>('vault');

/** People and services keep personal records; devices do not. */
const VAULT_ROLES: Role[] = ['admin', 'operator', 'analyst', 'provider', 'consumer'];

export const VAULT_POLICY: PolicyStatement[] = [
  {
    id: 'vault-self',
    effect: 'allow',
    roles: VAULT_ROLES,
    actions: ['vault:*'],
    scope: 'self',
    description: 'everyone manages their own vault key, records, grants and requests',
  },
  {
    id: 'vault-grantee-read',
    effect: 'allow',
    roles: VAULT_ROLES,
    actions: ['vault:record:read'],
    scope: 'any',
    when: (s, r) => r.attributes?.grantee === s.id,
    description: 'a reader the owner approved reads the record (decryptable only with the key wrapped for them)',
  },
  {
    id: 'vault-request',
    effect: 'allow',
    roles: VAULT_ROLES,
    actions: ['vault:request:create'],
    scope: 'any',
    description: 'anyone may ask an owner for access',
  },
  {
    id: 'vault-key-lookup',
    effect: 'allow',
    roles: VAULT_ROLES,
    actions: ['vault:key:read'],
    scope: 'any',
    description: "public keys are public: owners need readers' keys to wrap for them",
  },
  {
    id: 'vault-proof-org-staff',
    effect: 'allow',
    roles: ['admin', 'operator', 'analyst'],
    actions: ['vault:record:proof'],
    scope: 'own-org',
    description: "the staff of the record's organisation may fetch a record hash's proof",
  },
  {
    id: 'vault-proof-platform-staff',
    effect: 'allow',
    roles: ['operator', 'analyst'],
    actions: ['vault:record:proof'],
    scope: 'platform',
    description: "the platform's operators and analysts (who read the whole ledger) may too",
  },
];

/**
 * The crypto companion database: stores client-side ciphertext and wrapped data keys, logs each
 * version's ciphertext hash in the transparency log, and runs the request/approve/revoke and
 * erasure workflow, logging through the ledger's LEDGER_LOG.
 */
export function vaultModule(): PlatformModule {
  let repo: VaultRepo | undefined;
  return {
    name: 'vault',
    needs: [LEDGER_LOG],
    provides: [VAULT],
    migrations: vaultMigrations,
    policy: VAULT_POLICY,
    async start(ctx) {
      repo = new VaultRepo({
        store: ctx.store,
        log: ctx.services.get(LEDGER_LOG),
        clock: ctx.clock,
        audit: ctx.access.audit,
      });
      ctx.services.provide(VAULT, repo);
    },
    async routes(app) {
      if (!repo) throw new Error('the vault module has not started');
      await vaultRoutes(app, repo);
    },
  };
}
