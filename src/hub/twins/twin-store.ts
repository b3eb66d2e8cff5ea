import type { Kysely } from 'kysely';
import { MsecError, parseJsonOr, type Clock, type Logger, type Store } from '../../core/index.ts';
import type { AcceptedReading } from '../contracts.ts';
import {
  ADMIN_RESOURCES,
  ADMIN_SERVICE,
  type GeoJson,
  type ProviderState,
  type ResourceKind,
  type ResourceMetadata,
  type ResourceState,
  type TwinValue,
} from './model.ts';
import type { TwinPath } from './names.ts';
import type { TwinTables } from './schema.ts';

type ResourceRow = TwinTables['hub_resources'];
type ProviderRow = TwinTables['hub_providers'];

function providerFromRow(r: ProviderRow): ProviderState {
  return {
    provider: r.provider,
    org: r.org,
    origin: r.origin,
    admin: { friendlyName: r.friendly_name, location: parseJsonOr<GeoJson | null>(r.location, null), icon: r.icon },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function resourceFromRow(r: ResourceRow): ResourceState {
  return {
    provider: r.provider,
    service: r.service,
    resource: r.resource,
    kind: r.kind as ResourceKind,
    metadata: parseJsonOr<ResourceMetadata>(r.metadata, {}),
    value: parseJsonOr<TwinValue | null>(r.value, null),
    timestamp: r.value_at,
    receivedAt: r.received_at,
    signature: r.signature as ResourceState['signature'],
    attestation: r.attestation,
  };
}

/** The admin service's resources, derived from the provider row. */
export function adminResources(p: ProviderState): ResourceState[] {
  const values: Record<(typeof ADMIN_RESOURCES)[number], TwinValue | null> = {
    friendlyName: p.admin.friendlyName,
    location: p.admin.location ? JSON.stringify(p.admin.location) : null,
    icon: p.admin.icon,
  };
  return ADMIN_RESOURCES.map((resource) => ({
    provider: p.provider,
    service: ADMIN_SERVICE,
    resource,
    kind: 'property',
    metadata: {},
    value: values[resource],
    timestamp: p.updatedAt,
    receivedAt: p.updatedAt,
    signature: null,
    attestation: null,
  }));
}

export interface ReadingForTwin extends Pick<
  AcceptedReading,
  | 'org'
  | 'provider'
  | 'service'
  | 'resource'
  | 'value'
  | 'unit'
  | 'timestamp'
  | 'receivedAt'
  | 'signature'
  | 'attestation'
  | 'deviceId'
> {
  origin?: string | null;
}

/**
 * Providers, services and resources with their last values. Readings are coalesced in memory
 * (newest per resource) and written in one transaction per flush; a value only replaces an
 * older one, so "latest" stays the latest even when readings arrive out of order.
 */
export class TwinStore {
  private readonly db: Kysely<TwinTables>;
  private readonly knownProviders = new Map<string, string>();
  private pending = new Map<string, ReadingForTwin>();

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.db = store.db.withTables<TwinTables>();
  }

  enqueue(r: ReadingForTwin): void {
    const key = `${r.provider}/${r.service}/${r.resource}`;
    const prev = this.pending.get(key);
    if (!prev || prev.timestamp <= r.timestamp) this.pending.set(key, r);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    await this.db.transaction().execute(async (tx) => {
      for (const r of batch) {
        const owner = await this.ensureProvider(tx, r.provider, r.org, r.origin ?? null);
        if (owner !== r.org) {
          this.logger.warn(
            { provider: r.provider, org: r.org, owner },
            'reading for a provider of another organisation ignored by the twin model',
          );
          continue;
        }
        const row: ResourceRow = {
          provider: r.provider,
          service: r.service,
          resource: r.resource,
          kind: 'sensor',
          metadata: JSON.stringify(r.unit ? { unit: r.unit } : {}),
          value: JSON.stringify(r.value),
          value_at: r.timestamp,
          received_at: r.receivedAt,
          signature: r.signature,
          attestation: r.attestation,
          device_id: r.deviceId,
        };
        await tx
          .insertInto('hub_resources')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['provider', 'service', 'resource'])
              .doUpdateSet({
                value: row.value,
                value_at: row.value_at,
                received_at: row.received_at,
                signature: row.signature,
                attestation: row.attestation,
                device_id: row.device_id,
              })
              .where((eb) =>
                eb.or([eb('hub_resources.value_at', 'is', null), eb('hub_resources.value_at', '<=', r.timestamp)]),
              ),
          )
          .execute();
      }
    });
  }

  /** Creates the provider on first sight; returns the org that owns it. */
  private async ensureProvider(
    db: Kysely<TwinTables>,
    provider: string,
    org: string,
    origin: string | null,
  ): Promise<string> {
    const known = this.knownProviders.get(provider);
    if (known) return known;
    const now = this.clock.now();
    await db
      .insertInto('hub_providers')
      .values({
        provider,
        org,
        friendly_name: null,
        location: null,
        icon: null,
        origin,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('provider').doNothing())
      .execute();
    const row = await db
      .selectFrom('hub_providers')
      .select('org')
      .where('provider', '=', provider)
      .executeTakeFirstOrThrow();
    this.knownProviders.set(provider, row.org);
    return row.org;
  }

  /** Creates a provider or updates its admin service (friendly name, location, icon). */
  async upsertProvider(
    provider: string,
    org: string,
    admin: Partial<ProviderState['admin']>,
    origin: string | null = null,
  ): Promise<ProviderState> {
    const owner = await this.ensureProvider(this.db, provider, org, origin);
    if (owner !== org) throw new MsecError('CONFLICT', `provider ${provider} belongs to another organisation`);
    const patch: Partial<ProviderRow> = { updated_at: this.clock.now() };
    if (admin.friendlyName !== undefined) patch.friendly_name = admin.friendlyName;
    if (admin.location !== undefined) patch.location = admin.location === null ? null : JSON.stringify(admin.location);
    if (admin.icon !== undefined) patch.icon = admin.icon;
    await this.db.updateTable('hub_providers').set(patch).where('provider', '=', provider).execute();
    return (await this.getProvider(provider))!;
  }

  /** Declares a resource (kind and metadata) without a value, e.g. an action or a property. */
  async defineResource(path: TwinPath, org: string, kind: ResourceKind, metadata: ResourceMetadata): Promise<void> {
    const owner = await this.ensureProvider(this.db, path.provider, org, null);
    if (owner !== org) throw new MsecError('CONFLICT', `provider ${path.provider} belongs to another organisation`);
    await this.db
      .insertInto('hub_resources')
      .values({
        ...path,
        kind,
        metadata: JSON.stringify(metadata),
        value: null,
        value_at: null,
        received_at: null,
        signature: null,
        attestation: null,
        device_id: null,
      })
      .onConflict((oc) =>
        oc.columns(['provider', 'service', 'resource']).doUpdateSet({ kind, metadata: JSON.stringify(metadata) }),
      )
      .execute();
  }

  async setValue(path: TwinPath, value: TwinValue, at: number): Promise<void> {
    await this.db
      .updateTable('hub_resources')
      .set({ value: JSON.stringify(value), value_at: at, received_at: at, signature: 'unsigned', attestation: null })
      .where('provider', '=', path.provider)
      .where('service', '=', path.service)
      .where('resource', '=', path.resource)
      .execute();
  }

  async listProviders(): Promise<ProviderState[]> {
    const rows = await this.db.selectFrom('hub_providers').selectAll().orderBy('provider').execute();
    return rows.map(providerFromRow);
  }

  async getProvider(provider: string): Promise<ProviderState | undefined> {
    const row = await this.db
      .selectFrom('hub_providers')
      .selectAll()
      .where('provider', '=', provider)
      .executeTakeFirst();
    return row && providerFromRow(row);
  }

  /** Every resource of a provider, the admin service included. */
  async listResources(provider: ProviderState): Promise<ResourceState[]> {
    const rows = await this.db
      .selectFrom('hub_resources')
      .selectAll()
      .where('provider', '=', provider.provider)
      .orderBy('service')
      .orderBy('resource')
      .execute();
    return [...adminResources(provider), ...rows.map(resourceFromRow)];
  }

  async getResource(provider: ProviderState, path: TwinPath): Promise<ResourceState | undefined> {
    if (path.service === ADMIN_SERVICE) return adminResources(provider).find((r) => r.resource === path.resource);
    const row = await this.db
      .selectFrom('hub_resources')
      .selectAll()
      .where('provider', '=', path.provider)
      .where('service', '=', path.service)
      .where('resource', '=', path.resource)
      .executeTakeFirst();
    return row && resourceFromRow(row);
  }

  /** The owning org and device of a resource, for routing an ACT to the device. */
  async deviceOf(path: TwinPath): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('hub_resources')
      .select('device_id')
      .where('provider', '=', path.provider)
      .where('device_id', 'is not', null)
      .orderBy('value_at', 'desc')
      .executeTakeFirst();
    return row?.device_id ?? undefined;
  }
}
