import { createHash, createPublicKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, type Clock, type Store } from '../../core/index.ts';
import type { PlatformAccess, ResourceRef, Subject } from '../../core/index.ts';
import { checkpointFile, proofToJson, type LedgerEntry, type TransparencyLog } from '../../ledger/index.ts';
import { parsePublicJwk, type PublicJwk } from '../client/envelope.ts';
import type { VaultTables } from './schema.ts';

/** Who acts, and the request's object-level policy check (req.authorize). */
export interface Actor {
  subject: Subject;
  /** `hidden`: thrown instead of FORBIDDEN for another organisation's record (as if missing). */
  authorize(action: string, resource: ResourceRef, hidden?: Error): void;
  /** Extra audit fields for this request (req.auditNote). */
  note(resource: string, detail?: Record<string, unknown>): void;
}

export interface VaultDeps {
  store: Store;
  log: TransparencyLog;
  clock: Clock;
  audit: PlatformAccess['audit'];
}

export type RecordRow = VaultTables['vault_records'];

/** What a reader gets to check a version against the log without trusting the server. */
export interface LedgerBundle {
  entry: LedgerEntry;
  proof: ReturnType<typeof proofToJson>;
  checkpoint: ReturnType<typeof checkpointFile>;
}

export function notFound(id: string): MsecError {
  return new MsecError('VAULT_NOT_FOUND', `record ${id} not found`, { status: 404 });
}

export class VaultRepo {
  readonly db: Kysely<VaultTables>;

  constructor(readonly deps: VaultDeps) {
    this.db = deps.store.db.withTables<VaultTables>();
  }

  now(): number {
    return this.deps.clock.now();
  }

  async record(id: string): Promise<RecordRow> {
    const row = await this.db.selectFrom('vault_records').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(id);
    return {
      ...row,
      latest_version: Number(row.latest_version),
      created_at: Number(row.created_at),
      erased_at: row.erased_at === null ? null : Number(row.erased_at),
    };
  }

  resourceOf(r: RecordRow, attributes?: Record<string, unknown>): ResourceRef {
    return { type: 'record', id: r.id, org: r.org_id, owner: r.owner_id, ...(attributes ? { attributes } : {}) };
  }

  async publicKey(principalId: string): Promise<{ kid: string; publicKey: PublicJwk } | undefined> {
    const row = await this.db
      .selectFrom('vault_keys')
      .select(['kid', 'public_jwk'])
      .where('principal_id', '=', principalId)
      .executeTakeFirst();
    return row && { kid: row.kid, publicKey: JSON.parse(row.public_jwk) as PublicJwk };
  }

  /**
   * What another organisation's caller gets instead of FORBIDDEN: a missing record, unless they
   * already know of it (the owner, or a reader holding a grant).
   */
  async hiddenFrom(r: RecordRow, subjectId: string): Promise<MsecError | undefined> {
    return r.owner_id === subjectId || (await this.activeGrant(r.id, subjectId)) ? undefined : notFound(r.id);
  }

  async activeGrant(recordId: string, readerId: string): Promise<boolean> {
    const g = await this.db
      .selectFrom('vault_grants')
      .select('status')
      .where('record_id', '=', recordId)
      .where('reader_id', '=', readerId)
      .executeTakeFirst();
    return g?.status === 'active';
  }

  async ledgerBundle(index: number): Promise<LedgerBundle> {
    const { log } = this.deps;
    const size = log.size;
    const [entry, proof, head] = [
      await log.getEntry(index),
      await log.inclusionProof(index, size),
      await log.checkpointAt(size),
    ];
    return { entry, proof: proofToJson(proof), checkpoint: checkpointFile(head) };
  }
}

/** Validates a P-256 public JWK fully (the point must lie on the curve) and returns its RFC 7638 kid. */
export function checkedPublicKey(input: unknown): { publicKey: PublicJwk; kid: string } {
  const publicKey = parsePublicJwk(input);
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: publicKey.x, y: publicKey.y }, format: 'jwk' });
  } catch {
    throw new MsecError('VAULT_BAD_ENVELOPE', 'public key is not a point on P-256', { status: 400 });
  }
  const canonical = JSON.stringify({ crv: publicKey.crv, kty: publicKey.kty, x: publicKey.x, y: publicKey.y });
  return { publicKey, kid: createHash('sha256').update(canonical).digest('base64url') };
}
