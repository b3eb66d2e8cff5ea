/**
 * The device registry on the store port (SQLite or PostgreSQL): devices, their keys (current and
 * revoked), attestation state and the last accepted reading counter.
 */
import { sql, type Kysely } from 'kysely';
import { MsecError, parseJsonOr, type Store } from '../../core/index.ts';
import type { DeviceMetadata, EcJwk } from './metadata.ts';
import type { DeviceTables } from './schema.ts';

export type KeyStoreKind = 'software' | 'tpm';
export type AttestationStatus = 'unattested' | 'attested' | 'quarantined';
export type DeviceStatus = 'active' | 'revoked';

export interface AttestationResult {
  ok: boolean;
  at: number;
  code?: string | undefined;
}

export interface AttestationChallenge {
  nonce: string;
  pcrs: number[];
  expiresAt: number;
}

export interface DeviceRecord {
  id: string;
  org: string;
  principalId: string;
  keystore: KeyStoreKind;
  keyVersion: number;
  signingJwk: EcJwk;
  metadata: DeviceMetadata;
  status: DeviceStatus;
  attestation: AttestationStatus;
  attestationReason: string | null;
  attestationAt: number | null;
  lastAttestation: AttestationResult | null;
  /** Golden SHA-256 PCR values, index -> lowercase hex. */
  goldenPcrs: Record<string, string> | null;
  ekJwk: EcJwk | null;
  /** Attestation key TPMT_PUBLIC, base64url. */
  akPublic: string | null;
  challenge: AttestationChallenge | null;
  lastCounter: number;
  createdAt: number;
  updatedAt: number;
}

type DeviceRow = DeviceTables['hub_devices'];

function fromRow(r: DeviceRow): DeviceRecord {
  return {
    id: r.id,
    org: r.org_id,
    principalId: r.principal_id,
    keystore: r.keystore as KeyStoreKind,
    keyVersion: Number(r.key_version),
    signingJwk: parseJsonOr<EcJwk | null>(r.signing_jwk, null)!,
    metadata: parseJsonOr<DeviceMetadata | null>(r.metadata, null) ?? { name: r.id, type: 'other', transducers: [] },
    status: r.status as DeviceStatus,
    attestation: r.attestation as AttestationStatus,
    attestationReason: r.attestation_reason,
    attestationAt: r.attestation_at === null ? null : Number(r.attestation_at),
    lastAttestation: parseJsonOr<AttestationResult | null>(r.last_attestation, null),
    goldenPcrs: parseJsonOr<Record<string, string> | null>(r.golden_pcrs, null),
    ekJwk: parseJsonOr<EcJwk | null>(r.ek_jwk, null),
    akPublic: r.ak_public,
    challenge: parseJsonOr<AttestationChallenge | null>(r.attestation_challenge, null),
    lastCounter: Number(r.last_counter),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface NewDevice {
  id: string;
  org: string;
  principalId: string;
  keystore: KeyStoreKind;
  signingJwk: EcJwk;
  metadata: DeviceMetadata;
  attestation: AttestationStatus;
  goldenPcrs?: Record<string, string> | undefined;
  ekJwk?: EcJwk | undefined;
  akPublic?: string | undefined;
  now: number;
}

/** Largest batch one counter compare-and-set statement carries. */
const CAS_BATCH = 2000;

export class DeviceRegistry {
  readonly db: Kysely<DeviceTables>;

  constructor(readonly store: Store) {
    this.db = store.db.withTables<DeviceTables>();
  }

  async create(d: NewDevice): Promise<DeviceRecord> {
    const row: DeviceRow = {
      id: d.id,
      org_id: d.org,
      principal_id: d.principalId,
      keystore: d.keystore,
      key_version: 1,
      signing_jwk: JSON.stringify(d.signingJwk),
      metadata: JSON.stringify(d.metadata),
      status: 'active',
      attestation: d.attestation,
      attestation_reason: null,
      attestation_at: d.attestation === 'attested' ? d.now : null,
      last_attestation: d.attestation === 'attested' ? JSON.stringify({ ok: true, at: d.now }) : null,
      golden_pcrs: d.goldenPcrs ? JSON.stringify(d.goldenPcrs) : null,
      ek_jwk: d.ekJwk ? JSON.stringify(d.ekJwk) : null,
      ak_public: d.akPublic ?? null,
      attestation_challenge: null,
      last_counter: -1,
      created_at: d.now,
      updated_at: d.now,
    };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('hub_devices').values(row).execute();
        await tx
          .insertInto('hub_device_keys')
          .values({
            device_id: d.id,
            version: 1,
            jwk: row.signing_jwk,
            created_at: d.now,
            revoked_at: null,
            revoked_reason: null,
          })
          .execute();
      });
    } catch (err) {
      if (await this.get(d.id))
        throw new MsecError('DEVICE_EXISTS', `device ${d.id} is already enrolled`, { status: 409 });
      throw err;
    }
    return fromRow(row);
  }

  /** Devices changed (status, keys, attestation, metadata) at or after `since`, with their change time. */
  async changedSince(since: number): Promise<Array<{ id: string; updatedAt: number }>> {
    const rows = await this.db
      .selectFrom('hub_devices')
      .select(['id', 'updated_at'])
      .where('updated_at', '>=', since)
      .execute();
    return rows.map((r) => ({ id: r.id, updatedAt: Number(r.updated_at) }));
  }

  async get(id: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom('hub_devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async list(filter: { org?: string | undefined; limit?: number; offset?: number } = {}): Promise<DeviceRecord[]> {
    let q = this.db.selectFrom('hub_devices').selectAll();
    if (filter.org) q = q.where('org_id', '=', filter.org);
    const rows = await q
      .orderBy('id')
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(fromRow);
  }

  async setAttestation(
    id: string,
    patch: {
      attestation?: AttestationStatus;
      reason?: string | null;
      at?: number | null;
      last?: AttestationResult;
      challenge?: null;
    },
    now: number,
  ): Promise<void> {
    const values: Partial<DeviceRow> = { updated_at: now };
    if (patch.attestation !== undefined) values.attestation = patch.attestation;
    if (patch.reason !== undefined) values.attestation_reason = patch.reason;
    if (patch.at !== undefined) values.attestation_at = patch.at;
    if (patch.last !== undefined) values.last_attestation = JSON.stringify(patch.last);
    if (patch.challenge === null) values.attestation_challenge = null;
    await this.db.updateTable('hub_devices').set(values).where('id', '=', id).execute();
  }

  async setChallenge(id: string, challenge: AttestationChallenge | null, now: number): Promise<void> {
    await this.db
      .updateTable('hub_devices')
      .set({ attestation_challenge: challenge ? JSON.stringify(challenge) : null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async setGoldenPcrs(id: string, pcrs: Record<string, string>, now: number): Promise<void> {
    await this.db
      .updateTable('hub_devices')
      .set({ golden_pcrs: JSON.stringify(pcrs), updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Replaces the current key if it is still `expectedVersion`; the old key is kept as revoked. */
  async rotateKey(id: string, expectedVersion: number, jwk: EcJwk, now: number): Promise<number> {
    const next = expectedVersion + 1;
    return this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('hub_devices')
        .set({ key_version: next, signing_jwk: JSON.stringify(jwk), updated_at: now })
        .where('id', '=', id)
        .where('key_version', '=', expectedVersion)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new MsecError('CONFLICT', 'the device key changed meanwhile; retry');
      await tx
        .updateTable('hub_device_keys')
        .set({ revoked_at: now, revoked_reason: 'rotated' })
        .where('device_id', '=', id)
        .where('version', '=', expectedVersion)
        .execute();
      await tx
        .insertInto('hub_device_keys')
        .values({
          device_id: id,
          version: next,
          jwk: JSON.stringify(jwk),
          created_at: now,
          revoked_at: null,
          revoked_reason: null,
        })
        .execute();
      return next;
    });
  }

  /** Revokes the device and its current key: nothing it signs is accepted any more. */
  async revoke(id: string, reason: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('hub_devices').set({ status: 'revoked', updated_at: now }).where('id', '=', id).execute();
      await tx
        .updateTable('hub_device_keys')
        .set({ revoked_at: now, revoked_reason: reason.slice(0, 200) })
        .where('device_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    });
  }

  /** Revoked keys of a device, newest first (bounded: used only on the refusal path). */
  async revokedKeys(id: string, limit = 16): Promise<EcJwk[]> {
    const rows = await this.db
      .selectFrom('hub_device_keys')
      .select(['jwk'])
      .where('device_id', '=', id)
      .where('revoked_at', 'is not', null)
      .orderBy('version', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => parseJsonOr<EcJwk | null>(r.jwk, null)).filter((k): k is EcJwk => k !== null);
  }

  /** Keys of a device still valid at time `at` (not revoked by then), newest first. */
  async keysValidAt(id: string, at: number, limit = 4): Promise<EcJwk[]> {
    const rows = await this.db
      .selectFrom('hub_device_keys')
      .select(['jwk'])
      .where('device_id', '=', id)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', at)]))
      .orderBy('version', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => parseJsonOr<EcJwk | null>(r.jwk, null)).filter((k): k is EcJwk => k !== null);
  }

  /**
   * Compare-and-set of last accepted counters for a batch, in one statement: a device's row moves
   * to `max` only if its stored counter is below `min` (the smallest counter of the batch), so two
   * hubs sharing the store can never both accept one counter. Returns the ids that moved.
   */
  async advanceCounters(batch: ReadonlyArray<{ id: string; min: number; max: number }>): Promise<Set<string>> {
    const moved = new Set<string>();
    for (let i = 0; i < batch.length; i += CAS_BATCH) {
      // One JSON parameter and a constant statement text: no per-batch SQL building or re-planning.
      const rows = JSON.stringify(batch.slice(i, i + CAS_BATCH).map((b) => [b.id, b.min, b.max]));
      const res =
        this.store.dialect === 'sqlite'
          ? await sql<{ id: string }>`
              UPDATE hub_devices SET last_counter = v.max
              FROM (SELECT value ->> 0 AS id, value ->> 1 AS min, value ->> 2 AS max FROM json_each(${rows})) AS v
              WHERE hub_devices.id = v.id AND hub_devices.last_counter < v.min AND hub_devices.status = 'active'
              RETURNING hub_devices.id AS id`.execute(this.db)
          : await sql<{ id: string }>`
              UPDATE hub_devices SET last_counter = (v.r ->> 2)::bigint
              FROM json_array_elements(${rows}::json) AS v(r)
              WHERE hub_devices.id = v.r ->> 0 AND hub_devices.last_counter < (v.r ->> 1)::bigint AND hub_devices.status = 'active'
              RETURNING hub_devices.id AS id`.execute(this.db);
      for (const r of res.rows) moved.add(r.id);
    }
    return moved;
  }

  /** Sets the last counter back from `from` to `to`, if it is still `from`. */
  async rewindCounter(id: string, from: number, to: number): Promise<boolean> {
    const res = await this.db
      .updateTable('hub_devices')
      .set({ last_counter: to })
      .where('id', '=', id)
      .where('last_counter', '=', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async lastCounter(id: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('hub_devices')
      .select(['last_counter'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? Number(row.last_counter) : undefined;
  }
}
