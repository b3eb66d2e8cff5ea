import { api } from '../api.ts';
import { ApiKeysPanel } from '../admin/api-keys.tsx';
import { OrgsPanel } from '../admin/orgs.tsx';
import { PrincipalsPanel } from '../admin/principals.tsx';
import type { Org } from '../admin/types.ts';
import { usePolled } from '../poll.ts';
import type { ConsoleUser } from '../session.ts';

/** Admin: principals with their roles, organisations, and the signed-in user's API keys. */
export function UsersPage() {
  const orgs = usePolled(() => api<{ items: Org[] }>('GET', '/orgs'), 30_000);
  const me = usePolled(() => api<ConsoleUser>('GET', '/console/session'), 300_000);
  if (!me.data)
    return me.error ? (
      <p role="alert" class="error">
        {me.error}
      </p>
    ) : (
      <p role="status">Loading…</p>
    );
  const { org, roles } = me.data.principal;
  return (
    <>
      <h1>Users and keys</h1>
      <PrincipalsPanel orgs={orgs.data?.items ?? []} myOrg={org} />
      <div class="grid2">
        <ApiKeysPanel />
        <OrgsPanel
          orgs={orgs.data?.items ?? []}
          error={orgs.error}
          canCreate={org === 'platform' && roles.includes('admin')}
          onChanged={orgs.reload}
        />
      </div>
    </>
  );
}
