import { MsecError, newId } from '../../core/index.ts';
import { parseRecordId, parseVersion, parseWrappedKey, type PublicJwk } from '../client/envelope.ts';
import { checkedPublicKey, type Actor, type VaultRepo } from './context.ts';
import { erasedError } from './records.ts';
import type { RequestStatus, VaultTables } from './schema.ts';

export interface KeyInfo {
  principalId: string;
  kid: string;
  publicKey: PublicJwk;
}

export interface AccessRequest {
  id: string;
  recordId: string;
  ownerId: string;
  requesterId: string;
  requesterKey: KeyInfo | null;
  reason: string | null;
  status: RequestStatus;
  createdAt: number;
  decidedAt: number | null;
}

/** Registers (or replaces) the caller's own public key; the private key never leaves their side. */
export async function registerKey(repo: VaultRepo, actor: Actor, input: unknown): Promise<KeyInfo> {
  const me = actor.subject;
  actor.authorize('vault:key:write', { type: 'key', id: me.id, org: me.org, owner: me.id });
  const { publicKey, kid } = checkedPublicKey(input);
  const now = repo.now();
  await repo.db
    .insertInto('vault_keys')
    .values({
      principal_id: me.id,
      org_id: me.org,
      kid,
      public_jwk: JSON.stringify(publicKey),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('principal_id').doUpdateSet({ kid, public_jwk: JSON.stringify(publicKey), updated_at: now }),
    )
    .execute();
  actor.note(`vault-key principal=${me.id}`, { kid });
  return { principalId: me.id, kid, publicKey };
}

export async function getKey(repo: VaultRepo, principalId: string): Promise<KeyInfo> {
  const k = await repo.publicKey(principalId);
  if (!k)
    throw new MsecError('VAULT_KEY_NOT_FOUND', `principal ${principalId} has registered no vault key`, { status: 404 });
  return { principalId, ...k };
}

/** The owner's view: the latest version and the readers to wrap the next version's key for. */
export async function sharingOf(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
): Promise<{ id: string; ownerId: string; latestVersion: number; erased: boolean; readers: KeyInfo[] }> {
  const r = await repo.record(parseRecordId(idInput));
  actor.authorize('vault:record:share', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  const grants = await repo.db
    .selectFrom('vault_grants')
    .select('reader_id')
    .where('record_id', '=', r.id)
    .where('status', '=', 'active')
    .orderBy('reader_id')
    .execute();
  const readers: KeyInfo[] = [];
  for (const g of grants) {
    const k = await repo.publicKey(g.reader_id);
    if (k) readers.push({ principalId: g.reader_id, ...k });
  }
  return { id: r.id, ownerId: r.owner_id, latestVersion: r.latest_version, erased: r.erased_at !== null, readers };
}

/** A reader asks the owner for access (requestAuthorisation of the original). */
export async function requestAccess(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
  reason: string | undefined,
): Promise<AccessRequest> {
  const r = await repo.record(parseRecordId(idInput));
  const me = actor.subject;
  actor.authorize('vault:request:create', { type: 'request', org: me.org, owner: me.id });
  if (r.erased_at) throw erasedError(r);
  if (r.owner_id === me.id) throw new MsecError('CONFLICT', 'you own this record');
  if (!(await repo.publicKey(me.id)))
    throw new MsecError('VAULT_NO_KEY', 'register your vault public key first (PUT /vault/keys/me)', { status: 409 });
  if (await repo.activeGrant(r.id, me.id)) throw new MsecError('CONFLICT', 'you already hold a grant on this record');
  const pending = await repo.db
    .selectFrom('vault_requests')
    .select('id')
    .where('record_id', '=', r.id)
    .where('requester_id', '=', me.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (pending) throw new MsecError('CONFLICT', `request ${pending.id} is already pending`);
  const row: VaultTables['vault_requests'] = {
    id: newId('vreq'),
    record_id: r.id,
    owner_id: r.owner_id,
    requester_id: me.id,
    reason: reason ?? null,
    status: 'pending',
    created_at: repo.now(),
    decided_at: null,
  };
  await repo.db.insertInto('vault_requests').values(row).execute();
  actor.note(`record id=${r.id}`, { step: 'request', request: row.id, owner: r.owner_id });
  return toRequest(row, await repo.publicKey(me.id), me.id);
}

function toRequest(
  row: VaultTables['vault_requests'],
  key: { kid: string; publicKey: PublicJwk } | undefined,
  requesterId: string,
): AccessRequest {
  return {
    id: row.id,
    recordId: row.record_id,
    ownerId: row.owner_id,
    requesterId,
    requesterKey: key ? { principalId: requesterId, ...key } : null,
    reason: row.reason,
    status: row.status,
    createdAt: Number(row.created_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
  };
}

/** Requests on the caller's records (as owner) or made by the caller (as requester). */
export async function listRequests(
  repo: VaultRepo,
  actor: Actor,
  as: 'owner' | 'requester',
  status?: RequestStatus,
): Promise<AccessRequest[]> {
  const me = actor.subject;
  actor.authorize('vault:request:read', { type: 'request', org: me.org, owner: me.id });
  let q = repo.db
    .selectFrom('vault_requests')
    .selectAll()
    .where(as === 'owner' ? 'owner_id' : 'requester_id', '=', me.id);
  if (status) q = q.where('status', '=', status);
  const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
  return Promise.all(rows.map(async (r) => toRequest(r, await repo.publicKey(r.requester_id), r.requester_id)));
}

/**
 * The owner approves: their client unwrapped the data key locally and re-wrapped it for the
 * reader's registered key; the server stores those wrapped keys and the grant (approving any
 * pending request).
 */
export async function grantAccess(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
  readerId: string,
  keys: { version: number; wrapped: unknown }[],
): Promise<{ recordId: string; readerId: string; versions: number[] }> {
  const r = await repo.record(parseRecordId(idInput));
  actor.authorize('vault:record:grant', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  if (r.owner_id !== actor.subject.id)
    throw new MsecError('FORBIDDEN', 'only the owner can wrap the data key for a reader');
  if (r.erased_at) throw erasedError(r);
  if (readerId === r.owner_id) throw new MsecError('CONFLICT', 'the owner already holds the record');
  const reader = await repo.publicKey(readerId);
  if (!reader)
    throw new MsecError('VAULT_NO_KEY', `principal ${readerId} has registered no vault key`, { status: 409 });
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 1000)
    throw new MsecError('VAULT_BAD_ENVELOPE', 'keys must list 1-1000 wrapped keys', { status: 400 });
  const rows = keys.map((k) => {
    const version = parseVersion(k?.version);
    if (version > r.latest_version)
      throw new MsecError('VAULT_BAD_ENVELOPE', `record ${r.id} has no version ${version}`, { status: 400 });
    const wrapped = parseWrappedKey(k.wrapped);
    if (wrapped.kid !== reader.kid)
      throw new MsecError('VAULT_BAD_ENVELOPE', "a key is not wrapped for the reader's registered public key", {
        status: 400,
      });
    return {
      record_id: r.id,
      version,
      principal_id: readerId,
      kid: wrapped.kid,
      wrapped: JSON.stringify(wrapped),
      created_at: repo.now(),
    };
  });
  if (new Set(rows.map((x) => x.version)).size !== rows.length)
    throw new MsecError('VAULT_BAD_ENVELOPE', 'one wrapped key per version', { status: 400 });
  const now = repo.now();
  await repo.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('vault_wrapped_keys')
      .where('record_id', '=', r.id)
      .where('principal_id', '=', readerId)
      .where(
        'version',
        'in',
        rows.map((x) => x.version),
      )
      .execute();
    await trx.insertInto('vault_wrapped_keys').values(rows).execute();
    await trx
      .insertInto('vault_grants')
      .values({ record_id: r.id, reader_id: readerId, status: 'active', granted_at: now, revoked_at: null })
      .onConflict((oc) =>
        oc.columns(['record_id', 'reader_id']).doUpdateSet({ status: 'active', granted_at: now, revoked_at: null }),
      )
      .execute();
    await trx
      .updateTable('vault_requests')
      .set({ status: 'approved', decided_at: now })
      .where('record_id', '=', r.id)
      .where('requester_id', '=', readerId)
      .where('status', '=', 'pending')
      .execute();
  });
  const versions = rows.map((x) => x.version).sort((a, b) => a - b);
  actor.note(`record id=${r.id} reader=${readerId}`, { step: 'approve', reader: readerId, versions });
  return { recordId: r.id, readerId, versions };
}

/** Revokes: the reader's wrapped keys are destroyed; later versions use fresh data keys without them. */
export async function revokeAccess(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
  readerId: string,
): Promise<{ recordId: string; readerId: string; destroyedKeys: number }> {
  const r = await repo.record(parseRecordId(idInput));
  actor.authorize('vault:record:revoke', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  const now = repo.now();
  let destroyed = 0;
  await repo.db.transaction().execute(async (trx) => {
    const g = await trx
      .updateTable('vault_grants')
      .set({ status: 'revoked', revoked_at: now })
      .where('record_id', '=', r.id)
      .where('reader_id', '=', readerId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(g.numUpdatedRows) !== 1)
      throw new MsecError('VAULT_GRANT_NOT_FOUND', `${readerId} holds no grant on ${r.id}`, { status: 404 });
    const d = await trx
      .deleteFrom('vault_wrapped_keys')
      .where('record_id', '=', r.id)
      .where('principal_id', '=', readerId)
      .executeTakeFirst();
    destroyed = Number(d.numDeletedRows);
    await trx
      .updateTable('vault_requests')
      .set({ status: 'revoked', decided_at: now })
      .where('record_id', '=', r.id)
      .where('requester_id', '=', readerId)
      .where('status', '=', 'approved')
      .execute();
  });
  actor.note(`record id=${r.id} reader=${readerId}`, { step: 'revoke', reader: readerId, destroyedKeys: destroyed });
  return { recordId: r.id, readerId, destroyedKeys: destroyed };
}

export async function denyRequest(repo: VaultRepo, actor: Actor, requestId: string): Promise<AccessRequest> {
  const row = await repo.db.selectFrom('vault_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (!row) throw new MsecError('NOT_FOUND', `request ${requestId} not found`);
  const r = await repo.record(row.record_id);
  actor.authorize('vault:record:grant', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  if (row.status !== 'pending') throw new MsecError('CONFLICT', `request ${requestId} is ${row.status}`);
  const now = repo.now();
  await repo.db
    .updateTable('vault_requests')
    .set({ status: 'denied', decided_at: now })
    .where('id', '=', requestId)
    .execute();
  actor.note(`record id=${r.id} reader=${row.requester_id}`, { step: 'deny', request: requestId });
  return toRequest(
    { ...row, status: 'denied', decided_at: now },
    await repo.publicKey(row.requester_id),
    row.requester_id,
  );
}
