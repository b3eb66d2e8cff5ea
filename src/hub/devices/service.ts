/**
 * The device side of the hub, assembled: registry, caches, enrollment, ingest, attestation, keys.
 * Published to other modules as HUB_DEVICES.
 */
import { createPublicKey } from 'node:crypto';
import type { Clock } from '../../core/index.ts';
import { verifyReading } from '../../device/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import type { Iam } from '../../iam/index.ts';
import { AttestationService } from './attestation.ts';
import { CounterGuard } from './counter-guard.ts';
import { DeviceCredentialVerifier } from './device-auth.ts';
import { DeviceCache } from './device-cache.ts';
import { EnrollmentService } from './enrollment.ts';
import { EnrollmentTokens } from './enrollment-tokens.ts';
import { loadOrCreateHubEcdhKey, type HubEcdhKey } from './hub-key.ts';
import { DeviceReadingIngestor } from './ingest.ts';
import { DeviceKeys } from './keys.ts';
import { DeviceRegistry } from './registry.ts';
import { securitySubject } from '../../core/index.ts';
import type { DeviceKeyLookup, ReadingSink } from '../contracts.ts';

export interface DevicesOptions {
  /** Accepted distance between a reading's timestamp and the hub's clock (default 5 minutes). */
  freshnessWindowMs?: number;
  /** Audience of device credentials (default msec-hub). */
  credentialAudience?: string;
}

export class DevicesHub implements DeviceKeyLookup {
  readonly registry: DeviceRegistry;
  readonly cache: DeviceCache;
  readonly guard: CounterGuard;
  readonly tokens: EnrollmentTokens;
  readonly enrollment: EnrollmentService;
  readonly ingestor: DeviceReadingIngestor;
  readonly deviceAuth: DeviceCredentialVerifier;
  readonly attestation: AttestationService;
  readonly keys: DeviceKeys;
  readonly hubKey: HubEcdhKey;
  readonly clock: Clock;

  /** `sink` is the data side: it stores each admitted reading before it is acknowledged. */
  constructor(ctx: ModuleContext, iam: Iam, sink: ReadingSink, opts: DevicesOptions = {}) {
    const { store, clock, bus, metrics } = ctx;
    this.clock = clock;
    this.hubKey = loadOrCreateHubEcdhKey(ctx.config.dataDir).key;
    this.registry = new DeviceRegistry(store);
    this.cache = new DeviceCache(this.registry, clock);
    this.guard = new CounterGuard(this.registry);
    this.tokens = new EnrollmentTokens(store, clock);
    this.enrollment = new EnrollmentService({
      registry: this.registry,
      tokens: this.tokens,
      iam,
      clock,
      hubKey: this.hubKey,
    });
    this.ingestor = new DeviceReadingIngestor({
      cache: this.cache,
      guard: this.guard,
      hubKey: this.hubKey,
      clock,
      bus,
      audit: iam.audit,
      metrics,
      sink,
      ...(opts.freshnessWindowMs !== undefined ? { freshnessWindowMs: opts.freshnessWindowMs } : {}),
    });
    this.deviceAuth = new DeviceCredentialVerifier(this.cache, clock, opts.credentialAudience);
    this.attestation = new AttestationService({
      registry: this.registry,
      cache: this.cache,
      clock,
      bus,
      audit: iam.audit,
    });
    this.keys = new DeviceKeys({ registry: this.registry, cache: this.cache, guard: this.guard, iam, clock });
    // A quarantine in any process ends the device's live sessions in every process at once.
    this.offQuarantine = bus.subscribe(securitySubject('hub', 'device-quarantined'), (ev) => {
      const id = (ev.data as { deviceId?: unknown } | undefined)?.deviceId;
      if (typeof id !== 'string') return;
      this.cache.invalidate(id);
      void iam.sessions.sweep();
    });
    // A device revoked by another hub disables its principal: that revocation arrives on the bus
    // before this hub's cache would notice, so drop the cached record at once.
    const offRevoked = iam.revocations.onRevoked((e) => {
      if (e.kind === 'sub') this.cache.invalidatePrincipal(e.value);
    });
    const offQuarantine = this.offQuarantine;
    this.offQuarantine = () => {
      offQuarantine();
      offRevoked();
    };
  }

  /** Stops listening to the bus (quarantines, revocations). */
  offQuarantine: () => void;

  /**
   * The key that signed `cose`, among the device's keys still valid when the hub received it:
   * exported with a federated reading so the partner can verify it, also after the device has
   * rotated its key (or been revoked) since. Undefined when none of them verifies it.
   */
  async signingKeyFor(
    deviceId: string,
    cose: Uint8Array,
    receivedAt: number,
  ): Promise<Record<string, unknown> | undefined> {
    for (const jwk of await this.registry.keysValidAt(deviceId, receivedAt)) {
      try {
        await verifyReading(cose, () => createPublicKey({ key: jwk, format: 'jwk' }));
        return { ...jwk };
      } catch {
        // signed with another of its keys
      }
    }
    return undefined;
  }
}
