import { createHash } from 'node:crypto';
import { MsecError } from '../../core/index.ts';
import { PLATFORM_ORG } from '../../iam/index.ts';
import {
  b64urlDecode,
  b64urlEncode,
  parseRecordCiphertext,
  parseRecordId,
  parseVersion,
  parseWrappedKey,
  type RecordView,
  type WrappedKey,
} from '../client/envelope.ts';
import { notFound, type Actor, type LedgerBundle, type RecordRow, type VaultRepo } from './context.ts';

export const VAULT_RECORD_KIND = 'vault.record';
const MAX_RECIPIENTS = 100;

export interface PutInput {
  version: number;
  record: unknown;
  /** The data key wrapped for the owner and for readers holding an active grant. */
  keys: { principalId: string; wrapped: unknown }[];
}

export interface PutResult {
  id: string;
  version: number;
  hash: string;
  ledgerIndex: number;
}

export type ReadResult = RecordView<LedgerBundle>;

export interface Tombstone {
  id: string;
  ownerId: string;
  erasedAt: number;
  versions: { version: number; hash: string; ledgerIndex: number }[];
}

export function erasedError(r: RecordRow): MsecError {
  return new MsecError('VAULT_ERASED', `record ${r.id} was erased; only its hash remains on the ledger`, {
    status: 410,
    details: { erasedAt: r.erased_at },
  });
}

/** Checks every wrapped key's recipient: the owner must be among them, readers need an active grant. */
async function checkRecipients(
  repo: VaultRepo,
  recordId: string,
  ownerId: string,
  keys: PutInput['keys'],
): Promise<{ principalId: string; kid: string; wrapped: string }[]> {
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_RECIPIENTS)
    throw new MsecError('VAULT_BAD_ENVELOPE', `keys must list 1-${MAX_RECIPIENTS} wrapped keys`, { status: 400 });
  const seen = new Set<string>();
  const out: { principalId: string; kid: string; wrapped: string }[] = [];
  for (const k of keys) {
    if (typeof k?.principalId !== 'string' || seen.has(k.principalId))
      throw new MsecError('VAULT_BAD_ENVELOPE', 'each wrapped key names one distinct principal', { status: 400 });
    seen.add(k.principalId);
    const wrapped = parseWrappedKey(k.wrapped);
    const registered = await repo.publicKey(k.principalId);
    if (!registered)
      throw new MsecError('VAULT_NO_KEY', `principal ${k.principalId} has registered no vault key`, { status: 409 });
    if (registered.kid !== wrapped.kid)
      throw new MsecError(
        'VAULT_BAD_ENVELOPE',
        `the key for ${k.principalId} is not wrapped for its registered public key`,
        { status: 400 },
      );
    if (k.principalId !== ownerId && !(await repo.activeGrant(recordId, k.principalId))) {
      throw new MsecError('VAULT_NO_GRANT', `principal ${k.principalId} holds no grant on ${recordId}`, {
        status: 403,
      });
    }
    out.push({ principalId: k.principalId, kid: wrapped.kid, wrapped: JSON.stringify(wrapped) });
  }
  if (!seen.has(ownerId))
    throw new MsecError('VAULT_BAD_ENVELOPE', 'the data key must be wrapped for the owner too', { status: 400 });
  return out;
}

/**
 * Stores a new version: its ciphertext hash is appended to the log first and durably; only then
 * are the version and its wrapped keys committed, in one transaction. A failed append fails the
 * put with nothing stored; a failed commit leaves at most a log entry naming a hash no one holds.
 */
export async function putRecord(repo: VaultRepo, actor: Actor, idInput: string, input: PutInput): Promise<PutResult> {
  const id = parseRecordId(idInput);
  const version = parseVersion(input.version);
  const record = parseRecordCiphertext(input.record);
  const me = actor.subject;
  const existing = await repo.record(id).catch((err: unknown) => {
    if ((err as MsecError).code === 'VAULT_NOT_FOUND') return undefined;
    throw err;
  });
  const ownerId = existing?.owner_id ?? me.id;
  const org = existing?.org_id ?? me.org;
  actor.authorize('vault:record:write', { type: 'record', id, org, owner: ownerId });
  // Only the owner's client can produce a version bound (AAD) to the owner; nobody writes for them.
  if (ownerId !== me.id) throw new MsecError('FORBIDDEN', 'only the owner writes new versions of a record');
  if (existing?.erased_at) throw erasedError(existing);
  const expected = (existing?.latest_version ?? 0) + 1;
  if (version !== expected)
    throw new MsecError('CONFLICT', `next version of ${id} is ${expected}, not ${version}`, { details: { expected } });
  const recipients = await checkRecipients(repo, id, ownerId, input.keys);

  const ciphertext = b64urlDecode(record.ciphertext, 'ciphertext');
  const hash = createHash('sha256').update(ciphertext).digest();
  const { index } = await repo.deps.log.append({ kind: VAULT_RECORD_KIND, dataHash: hash });
  const now = repo.now();
  try {
    await repo.db.transaction().execute(async (trx) => {
      if (existing) {
        const r = await trx
          .updateTable('vault_records')
          .set({ latest_version: version })
          .where('id', '=', id)
          .where('latest_version', '=', version - 1)
          .where('erased_at', 'is', null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1)
          throw new MsecError('CONFLICT', `${id} changed meanwhile; retry with its new version`);
      } else {
        await trx
          .insertInto('vault_records')
          .values({ id, owner_id: ownerId, org_id: org, latest_version: 1, created_at: now, erased_at: null })
          .execute();
      }
      await trx
        .insertInto('vault_versions')
        .values({
          record_id: id,
          version,
          iv: Buffer.from(b64urlDecode(record.iv, 'iv')),
          ciphertext: Buffer.from(ciphertext),
          hash,
          ledger_index: index,
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('vault_wrapped_keys')
        .values(
          recipients.map((k) => ({
            record_id: id,
            version,
            principal_id: k.principalId,
            kid: k.kid,
            wrapped: k.wrapped,
            created_at: now,
          })),
        )
        .execute();
    });
  } catch (err) {
    if (err instanceof MsecError) throw err;
    // A concurrent first put of the same id loses on the primary key.
    if (!existing && (await repo.db.selectFrom('vault_records').select('id').where('id', '=', id).executeTakeFirst())) {
      throw new MsecError('CONFLICT', `record ${id} already exists`);
    }
    throw new MsecError('STORAGE_ERROR', 'storing the record failed', { cause: err });
  }
  actor.note(`record id=${id} version=${version}`, {
    ledgerIndex: index,
    hash: hash.toString('hex'),
    recipients: recipients.map((k) => k.principalId),
  });
  return { id, version, hash: hash.toString('hex'), ledgerIndex: index };
}

/**
 * Ciphertext, the caller's own wrapped key and the proof. Readers other than the owner need an
 * active grant and a key wrapped for them at that version; administrators get no exception.
 */
export async function readRecord(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
  versionInput?: number,
): Promise<ReadResult> {
  const id = parseRecordId(idInput);
  const r = await repo.record(id);
  const me = actor.subject;
  // Names the record in the automatic audit entry of a denied read.
  actor.note(`record id=${id}`, { owner: r.owner_id });
  const isOwner = r.owner_id === me.id;
  if (!isOwner && !(await repo.activeGrant(id, me.id))) {
    // Another organisation's caller learns nothing of the record's existence.
    if (r.org_id !== me.org && me.org !== PLATFORM_ORG) throw notFound(id);
    throw new MsecError('VAULT_NO_GRANT', `you hold no grant on ${id}`, { status: 403 });
  }
  actor.authorize('vault:record:read', repo.resourceOf(r, { grantee: isOwner ? undefined : me.id }), notFound(r.id));
  if (r.erased_at) throw erasedError(r);
  const version = versionInput === undefined ? r.latest_version : parseVersion(versionInput);
  const row = await repo.db
    .selectFrom('vault_versions as v')
    .leftJoin('vault_wrapped_keys as k', (j) =>
      j.onRef('k.record_id', '=', 'v.record_id').onRef('k.version', '=', 'v.version').on('k.principal_id', '=', me.id),
    )
    .select(['v.iv', 'v.ciphertext', 'v.hash', 'v.ledger_index', 'k.wrapped'])
    .where('v.record_id', '=', id)
    .where('v.version', '=', version)
    .executeTakeFirst();
  if (!row || !row.iv || !row.ciphertext)
    throw new MsecError('VAULT_NOT_FOUND', `record ${id} has no version ${version}`, { status: 404 });
  if (!row.wrapped)
    throw new MsecError('VAULT_NO_GRANT', `no key of version ${version} of ${id} is wrapped for you`, { status: 403 });
  const ledger = await repo.ledgerBundle(Number(row.ledger_index));
  await repo.deps.audit.append({
    actorId: me.id,
    actorName: me.name,
    orgId: me.org,
    action: 'vault:record:read',
    resource: `record id=${id} version=${version}`,
    outcome: 'succeeded',
    status: 200,
    detail: { owner: r.owner_id },
  });
  return {
    id,
    ownerId: r.owner_id,
    org: r.org_id,
    version,
    latestVersion: r.latest_version,
    record: { alg: 'A256GCM', iv: b64urlEncode(row.iv), ciphertext: b64urlEncode(row.ciphertext) },
    wrappedKey: JSON.parse(row.wrapped) as WrappedKey,
    hash: Buffer.from(row.hash).toString('hex'),
    ledger,
  };
}

/** Proof of a version's hash; still served after erasure (to the owner and ledger readers). */
export async function recordProof(
  repo: VaultRepo,
  actor: Actor,
  idInput: string,
  versionInput?: number,
): Promise<{ id: string; version: number; hash: string; erased: boolean; ledger: LedgerBundle }> {
  const id = parseRecordId(idInput);
  const r = await repo.record(id);
  actor.authorize('vault:record:proof', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  const version = versionInput === undefined ? r.latest_version : parseVersion(versionInput);
  const row = await repo.db
    .selectFrom('vault_versions')
    .select(['hash', 'ledger_index'])
    .where('record_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw notFound(`${id} version ${version}`);
  return {
    id,
    version,
    hash: Buffer.from(row.hash).toString('hex'),
    erased: r.erased_at !== null,
    ledger: await repo.ledgerBundle(Number(row.ledger_index)),
  };
}

/**
 * GDPR art. 17: destroys every wrapped data key and the ciphertext of every version, and keeps a
 * tombstone (hash, ledger index) so the log's proofs still hold. No one can decrypt afterwards.
 */
export async function eraseRecord(repo: VaultRepo, actor: Actor, idInput: string): Promise<Tombstone> {
  const id = parseRecordId(idInput);
  const r = await repo.record(id);
  actor.authorize('vault:record:erase', repo.resourceOf(r), await repo.hiddenFrom(r, actor.subject.id));
  if (r.erased_at) throw erasedError(r);
  const now = repo.now();
  await repo.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('vault_wrapped_keys').where('record_id', '=', id).execute();
    await trx.updateTable('vault_versions').set({ iv: null, ciphertext: null }).where('record_id', '=', id).execute();
    await trx
      .updateTable('vault_grants')
      .set({ status: 'revoked', revoked_at: now })
      .where('record_id', '=', id)
      .where('status', '=', 'active')
      .execute();
    await trx
      .updateTable('vault_requests')
      .set({ status: 'cancelled', decided_at: now })
      .where('record_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    await trx.updateTable('vault_records').set({ erased_at: now }).where('id', '=', id).execute();
  });
  const versions = await repo.db
    .selectFrom('vault_versions')
    .select(['version', 'hash', 'ledger_index'])
    .where('record_id', '=', id)
    .orderBy('version', 'asc')
    .execute();
  actor.note(`record id=${id}`, { step: 'erase', owner: r.owner_id, versions: versions.length });
  return {
    id,
    ownerId: r.owner_id,
    erasedAt: now,
    versions: versions.map((v) => ({
      version: Number(v.version),
      hash: Buffer.from(v.hash).toString('hex'),
      ledgerIndex: Number(v.ledger_index),
    })),
  };
}
