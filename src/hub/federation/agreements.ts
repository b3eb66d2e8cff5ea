import type { Kysely } from 'kysely';
import { MsecError, newId, newSecret, type Clock, type Store } from '../../core/index.ts';
import type { FederationTables } from './schema.ts';
import type { SecretSealer } from './secret-box.ts';

type Row = FederationTables['hub_fed_agreements'];

export const AGGREGATE_STATISTICS = ['avg', 'min', 'max', 'count'] as const;
export const AGGREGATE_WINDOW_SECONDS = { min: 60, max: 86400 } as const;
export type AggregateStatistic = (typeof AGGREGATE_STATISTICS)[number];

/** What an aggregating agreement shares: one value per device, resource and window instead of every reading. */
export interface AggregateSpec {
  windowSeconds: number;
  statistic: AggregateStatistic;
}

export interface Agreement {
  id: string;
  direction: 'export' | 'import';
  localOrg: string;
  partner: string;
  resources: string[];
  decimals: number | null;
  pseudonymise: boolean;
  keepSignatures: boolean;
  /** Null: readings are shared one by one. */
  aggregate: AggregateSpec | null;
  validUntil: number;
  endpoint: string | null;
  partnerKey: Record<string, unknown> | null;
  principalId: string | null;
  status: 'active' | 'revoked';
  cursor: number;
  createdAt: number;
}

export interface AgreementSecrets {
  secret: string | null;
  credential: string | null;
}

export type NewAgreement = Omit<Agreement, 'id' | 'status' | 'cursor' | 'createdAt' | 'aggregate'> & {
  id?: string | undefined;
  credential?: string | null | undefined;
  aggregate?: AggregateSpec | null | undefined;
};

function fromRow(r: Row): Agreement {
  return {
    id: r.id,
    direction: r.direction as Agreement['direction'],
    localOrg: r.local_org,
    partner: r.partner,
    resources: JSON.parse(r.resources) as string[],
    decimals: r.decimals,
    pseudonymise: r.pseudonymise === 1,
    keepSignatures: r.keep_signatures === 1,
    aggregate:
      r.aggregate_seconds !== null
        ? { windowSeconds: r.aggregate_seconds, statistic: (r.aggregate_statistic ?? 'avg') as AggregateStatistic }
        : null,
    validUntil: r.valid_until,
    endpoint: r.endpoint,
    partnerKey: r.partner_key ? (JSON.parse(r.partner_key) as Record<string, unknown>) : null,
    principalId: r.principal_id,
    status: r.status as Agreement['status'],
    cursor: r.cursor,
    createdAt: r.created_at,
  };
}

/**
 * Sharing agreements, configured on both hubs by their admins. Secrets never leave through `get`,
 * and are stored sealed (AES-256-GCM under the data directory's federation key).
 */
export class AgreementStore {
  private readonly db: Kysely<FederationTables>;
  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly box: SecretSealer,
  ) {
    this.db = store.db.withTables<FederationTables>();
  }

  async create(a: NewAgreement): Promise<Agreement> {
    if (a.keepSignatures && (a.pseudonymise || a.decimals !== null || a.aggregate)) {
      throw new MsecError(
        'VALIDATION_FAILED',
        'keeping device signatures needs the original readings and device ids: no pseudonymisation, rounding or aggregation',
      );
    }
    if (
      a.aggregate &&
      (!Number.isSafeInteger(a.aggregate.windowSeconds) ||
        a.aggregate.windowSeconds < AGGREGATE_WINDOW_SECONDS.min ||
        a.aggregate.windowSeconds > AGGREGATE_WINDOW_SECONDS.max ||
        !AGGREGATE_STATISTICS.includes(a.aggregate.statistic))
    ) {
      throw new MsecError(
        'VALIDATION_FAILED',
        `aggregation needs a window of ${AGGREGATE_WINDOW_SECONDS.min} to ${AGGREGATE_WINDOW_SECONDS.max} seconds and one of ${AGGREGATE_STATISTICS.join(', ')}`,
      );
    }
    if (a.direction === 'export' && (!a.endpoint || !a.credential || !a.partnerKey))
      throw new MsecError(
        'VALIDATION_FAILED',
        'an export agreement needs the partner endpoint, the credential it issued and its public key',
      );
    if (a.direction === 'import' && !a.principalId)
      throw new MsecError('VALIDATION_FAILED', 'an import agreement names the partner’s service principal');
    const id = a.id ?? newId('agr');
    if (await this.get(id)) throw new MsecError('CONFLICT', `agreement ${id} exists`);
    await this.db
      .insertInto('hub_fed_agreements')
      .values({
        id,
        direction: a.direction,
        local_org: a.localOrg,
        partner: a.partner,
        resources: JSON.stringify(a.resources),
        decimals: a.decimals,
        pseudonymise: a.pseudonymise ? 1 : 0,
        secret: a.pseudonymise ? this.box.seal(newSecret(32), `${id}/secret`) : null,
        keep_signatures: a.keepSignatures ? 1 : 0,
        valid_until: a.validUntil,
        endpoint: a.endpoint,
        credential: a.credential ? this.box.seal(a.credential, `${id}/credential`) : null,
        partner_key: a.partnerKey ? JSON.stringify(a.partnerKey) : null,
        principal_id: a.principalId,
        status: 'active',
        cursor: 0,
        created_at: this.clock.now(),
        aggregate_seconds: a.aggregate?.windowSeconds ?? null,
        aggregate_statistic: a.aggregate?.statistic ?? null,
      })
      .execute();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Agreement | undefined> {
    const row = await this.db.selectFrom('hub_fed_agreements').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async secrets(id: string): Promise<AgreementSecrets> {
    const row = await this.db
      .selectFrom('hub_fed_agreements')
      .select(['secret', 'credential'])
      .where('id', '=', id)
      .executeTakeFirst();
    return {
      secret: row?.secret ? this.box.open(row.secret, `${id}/secret`) : null,
      credential: row?.credential ? this.box.open(row.credential, `${id}/credential`) : null,
    };
  }

  async list(org?: string): Promise<Agreement[]> {
    let q = this.db.selectFrom('hub_fed_agreements').selectAll().orderBy('created_at');
    if (org !== undefined) q = q.where('local_org', '=', org);
    return (await q.execute()).map(fromRow);
  }

  async revoke(id: string): Promise<void> {
    await this.db.updateTable('hub_fed_agreements').set({ status: 'revoked' }).where('id', '=', id).execute();
  }

  /** Moves the export cursor forward only (a late ack never rewinds it). */
  async advance(id: string, cursor: number): Promise<void> {
    await this.db
      .updateTable('hub_fed_agreements')
      .set({ cursor })
      .where('id', '=', id)
      .where('cursor', '<', cursor)
      .execute();
  }

  async saveDeviceKey(origin: string, deviceId: string, jwk: unknown): Promise<void> {
    await this.db
      .insertInto('hub_fed_device_keys')
      .values({ origin, device_id: deviceId, jwk: JSON.stringify(jwk) })
      .onConflict((oc) => oc.columns(['origin', 'device_id']).doUpdateSet({ jwk: JSON.stringify(jwk) }))
      .execute();
  }

  async deviceKey(origin: string, deviceId: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('hub_fed_device_keys')
      .select('jwk')
      .where('origin', '=', origin)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row ? JSON.parse(row.jwk) : undefined;
  }
}

export function isLive(a: Agreement, now: number): boolean {
  return a.status === 'active' && a.validUntil > now;
}
