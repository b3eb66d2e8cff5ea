/**
 * Read-through cache of device records for the hot paths (ingest, device authentication). Local
 * changes invalidate at once. Changes made by another hub sharing the store (revocation,
 * quarantine, rotation) are picked up by one "what changed since" query every TTL, in the
 * background, rather than by re-reading every cached device: a city's fleet expiring together
 * would otherwise cost a burst of thousands of reads every TTL.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../../core/index.ts';
import { VerificationKeyCache } from '../../device/index.ts';
import type { DeviceRecord, DeviceRegistry } from './registry.ts';

export const DEVICE_CACHE_TTL_MS = 2000;
/** Hubs' clocks differ: look back this far when asking what changed, at the cost of a few re-reads. */
const CLOCK_SKEW_MARGIN_MS = 60_000;

interface Entry {
  record: DeviceRecord | undefined;
}

export class DeviceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<DeviceRecord | undefined>>();
  private lastPoll: number;
  private polling = false;
  /** KeyObjects by `deviceId#keyVersion`, so a rotated key can never be served for the new version. */
  readonly keys: VerificationKeyCache;

  constructor(
    readonly registry: DeviceRegistry,
    private readonly clock: Clock,
    private readonly ttlMs = DEVICE_CACHE_TTL_MS,
    private readonly maxEntries = 100_000,
  ) {
    this.lastPoll = clock.now();
    this.keys = new VerificationKeyCache(async (kid) => {
      const id = kid.slice(0, kid.lastIndexOf('#'));
      const device = await this.get(id);
      return device ? createPublicKey({ key: device.signingJwk, format: 'jwk' }) : undefined;
    });
  }

  get(id: string): DeviceRecord | undefined | Promise<DeviceRecord | undefined> {
    this.pollChanges();
    const hit = this.entries.get(id);
    // The hot path never waits for a refresh; the store's compare-and-set (active devices only)
    // still refuses readings of a device revoked elsewhere meanwhile.
    return hit ? hit.record : this.load(id);
  }

  private pollChanges(): void {
    const now = this.clock.now();
    if (this.polling || now - this.lastPoll < this.ttlMs) return;
    const since = this.lastPoll - CLOCK_SKEW_MARGIN_MS;
    this.lastPoll = now;
    this.polling = true;
    void this.registry
      .changedSince(since)
      .then((changed) => {
        for (const { id, updatedAt } of changed) {
          const entry = this.entries.get(id);
          // Re-read only what really changed since it was cached (the look-back repeats rows).
          if (entry && entry.record?.updatedAt !== updatedAt) void this.load(id).catch(() => undefined);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.polling = false;
      });
  }

  private load(id: string): Promise<DeviceRecord | undefined> {
    let p = this.loading.get(id);
    if (!p) {
      p = this.registry.get(id).then(
        (record) => {
          this.loading.delete(id);
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(id, { record });
          return record;
        },
        (err: unknown) => {
          this.loading.delete(id);
          throw err;
        },
      );
      this.loading.set(id, p);
    }
    return p;
  }

  /** The KeyObject of the device's current key. */
  key(device: DeviceRecord): KeyObject | undefined | Promise<KeyObject | undefined> {
    return this.keys.resolve(`${device.id}#${device.keyVersion}`);
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }

  /** Drops the device of a principal whose credentials were revoked (a device revoked by another hub). */
  invalidatePrincipal(principalId: string): void {
    for (const [id, e] of this.entries) if (e.record?.principalId === principalId) this.entries.delete(id);
  }
}
