import type { Actor, VaultRepo } from './context.ts';

export interface OwnRecord {
  id: string;
  latestVersion: number;
  createdAt: number;
  erasedAt: number | null;
  /** Readers holding an active grant. */
  readers: string[];
  pendingRequests: number;
}

export const OWN_RECORDS_MAX_PAGE = 200;

/**
 * The caller's own records, newest first, with who holds a grant and how many requests wait:
 * what an owner needs to see before approving or revoking (the console's vault view).
 */
export async function listOwnRecords(
  repo: VaultRepo,
  actor: Actor,
  page: { limit: number; offset: number },
): Promise<{ items: OwnRecord[]; nextOffset: number | null }> {
  const me = actor.subject;
  actor.authorize('vault:record:read', { type: 'record', org: me.org, owner: me.id });
  const limit = Math.min(Math.max(1, page.limit), OWN_RECORDS_MAX_PAGE);
  const rows = await repo.db
    .selectFrom('vault_records')
    .select(['id', 'latest_version', 'created_at', 'erased_at'])
    .where('owner_id', '=', me.id)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit + 1)
    .offset(page.offset)
    .execute();
  const shown = rows.slice(0, limit);
  const ids = shown.map((r) => r.id);
  const grants = ids.length
    ? await repo.db
        .selectFrom('vault_grants')
        .select(['record_id', 'reader_id'])
        .where('record_id', 'in', ids)
        .where('status', '=', 'active')
        .orderBy('reader_id')
        .execute()
    : [];
  const pending = ids.length
    ? await repo.db
        .selectFrom('vault_requests')
        .select(['record_id'])
        .where('record_id', 'in', ids)
        .where('status', '=', 'pending')
        .execute()
    : [];
  return {
    items: shown.map((r) => ({
      id: r.id,
      latestVersion: Number(r.latest_version),
      createdAt: Number(r.created_at),
      erasedAt: r.erased_at === null ? null : Number(r.erased_at),
      readers: grants.filter((g) => g.record_id === r.id).map((g) => g.reader_id),
      pendingRequests: pending.filter((p) => p.record_id === r.id).length,
    })),
    nextOffset: rows.length > limit ? page.offset + limit : null,
  };
}
