/**
 * The one verification path every reading goes through, whatever the transport: size, optional
 * unsealing, COSE signature with the device's current key, sender and provider binding,
 * quarantine, freshness, replay. Refusals are counted, audited and published; acceptances published.
 */
import { createPublicKey } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { MsecError, SUBJECTS, isMsecError, type Clock, type EventBus } from '../../core/index.ts';
import {
  isOwnProvider,
  MAX_SEALED_READING_BYTES,
  openSealedReading,
  READING_FRESHNESS_WINDOW_MS,
  verifyReading,
  type Reading,
} from '../../device/index.ts';
import type { AuditLog } from '../../iam/index.ts';
import type { AcceptedReading, IngestContext, ReadingIngestor, ReadingSink, RejectedReading } from '../contracts.ts';
import { ArrivalOrder, type Turn } from './arrival-order.ts';
import type { CounterGuard } from './counter-guard.ts';
import type { DeviceCache } from './device-cache.ts';
import type { HubEcdhKey } from './hub-key.ts';
import type { DeviceRecord } from './registry.ts';

export const DEFAULT_FRESHNESS_WINDOW_MS = READING_FRESHNESS_WINDOW_MS;

export interface IngestorDeps {
  /** Where accepted readings are stored (the hub's history), looked up when needed: it starts after this module. */
  /** Stores an admitted reading durably; optional only for benchmarks of the verification path. */
  sink?: ReadingSink | undefined;
  cache: DeviceCache;
  guard: CounterGuard;
  hubKey: HubEcdhKey;
  clock: Clock;
  bus: EventBus;
  audit: AuditLog;
  metrics: Registry;
  freshnessWindowMs?: number;
}

function refuse(code: string, message: string, status: number, details?: Record<string, unknown>): MsecError {
  return new MsecError(code, message, { status, ...(details ? { details } : {}) });
}

/** COSE_Encrypt is tag 96 (0xd8 0x60); everything else is treated as a (possibly broken) Sign1. */
function isSealed(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0xd8 && bytes[1] === 0x60;
}

export class DeviceReadingIngestor implements ReadingIngestor {
  private readonly accepted: Counter<'transport'>;
  private readonly rejected: Counter<'code' | 'transport'>;
  private readonly windowMs: number;
  /** Label children cached: prom-client hashes label objects on every inc otherwise. */
  private readonly acceptedChildren = new Map<string, { inc(): void }>();
  /** A device's readings pass the counter guard in the order they arrived. */
  private readonly order = new ArrivalOrder();

  constructor(private readonly deps: IngestorDeps) {
    this.windowMs = deps.freshnessWindowMs ?? DEFAULT_FRESHNESS_WINDOW_MS;
    this.accepted =
      (deps.metrics.getSingleMetric('msec_hub_readings_accepted_total') as Counter<'transport'> | undefined) ??
      new Counter({
        name: 'msec_hub_readings_accepted_total',
        help: 'readings accepted by transport',
        labelNames: ['transport'],
        registers: [deps.metrics],
      });
    this.rejected =
      (deps.metrics.getSingleMetric('msec_hub_readings_rejected_total') as Counter<'code' | 'transport'> | undefined) ??
      new Counter({
        name: 'msec_hub_readings_rejected_total',
        help: 'readings refused by error code',
        labelNames: ['code', 'transport'],
        registers: [deps.metrics],
      });
  }

  async ingest(bytes: Uint8Array, ctx: IngestContext): Promise<AcceptedReading> {
    const seen: { device?: DeviceRecord | undefined; kid?: string | undefined } = {};
    try {
      return await this.verify(bytes, ctx, seen);
    } catch (err) {
      const e = isMsecError(err)
        ? err
        : new MsecError('READING_INVALID', 'the reading could not be processed', { status: 400 });
      await this.report(e, ctx, seen.device?.id ?? seen.kid, seen.device?.org);
      throw e;
    }
  }

  private async verify(
    bytes: Uint8Array,
    ctx: IngestContext,
    seen: { device?: DeviceRecord | undefined; kid?: string | undefined },
  ): Promise<AcceptedReading> {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw refuse('READING_INVALID', 'empty reading', 400);
    if (bytes.length > MAX_SEALED_READING_BYTES)
      throw refuse('READING_TOO_LARGE', `reading is larger than ${MAX_SEALED_READING_BYTES} bytes`, 413);
    const signed = isSealed(bytes) ? await openSealedReading(bytes, this.deps.hubKey.privateKey) : bytes;

    const { cache } = this.deps;
    // Synchronous on a cache hit: no extra promise per reading on the hot path.
    const check = (kid: string, device: DeviceRecord | undefined) => {
      seen.device = device;
      if (!device) throw refuse('DEVICE_UNKNOWN', 'no enrolled device has this id', 401, { kid });
      if (device.status === 'revoked')
        throw refuse('DEVICE_KEY_REVOKED', 'the device and its key are revoked', 401, { kid });
      return cache.key(device);
    };
    let turn: Turn | undefined;
    try {
      let verified;
      try {
        verified = await verifyReading(
          signed,
          (kid) => {
            seen.kid = kid;
            // Called synchronously as the reading arrives: its place in the device's order.
            turn = this.order.enter(kid);
            const device = cache.get(kid);
            return device instanceof Promise ? device.then((d) => check(kid, d)) : check(kid, device);
          },
          { offload: true },
        );
      } catch (err) {
        if (
          isMsecError(err) &&
          err.code === 'COSE_BAD_SIGNATURE' &&
          seen.device &&
          (await this.signedByRevokedKey(signed, seen.device))
        ) {
          throw refuse('DEVICE_KEY_REVOKED', 'the reading is signed with a revoked key of this device', 401, {
            kid: seen.device.id,
          });
        }
        throw err;
      }
      if (turn?.ready) await turn.ready;
      const reading = verified.reading;
      const device = seen.device!;
      const now = this.checkAdmissible(reading, device, ctx);
      // The counter is claimed in arrival order; the durable commit that follows is shared with
      // the other readings waiting at that moment, this device's next ones included.
      const claimed = this.deps.guard.accept(device.id, reading.counter, device.lastCounter);
      turn?.release();
      if (!(await claimed)) {
        throw refuse('READING_REPLAYED', 'reading counter is not above the last accepted one', 409, {
          counter: reading.counter,
        });
      }
      return await this.store(reading, device, signed, ctx, now);
    } finally {
      turn?.release();
    }
  }

  /** Binding, quarantine and freshness of a verified reading; returns the time it was judged at. */
  private checkAdmissible(reading: Reading, device: DeviceRecord, ctx: IngestContext): number {
    this.checkBinding(reading, device, ctx);
    if (device.attestation === 'quarantined') {
      throw refuse(
        'DEVICE_QUARANTINED',
        `device is quarantined: ${device.attestationReason ?? 'failed attestation'}`,
        403,
      );
    }
    const now = this.deps.clock.now();
    if (Math.abs(reading.timestamp - now) > this.windowMs) {
      throw refuse('READING_STALE', `reading time is outside the accepted window of ${this.windowMs / 1000} s`, 400, {
        timestamp: reading.timestamp,
        now,
      });
    }
    return now;
  }

  /** Stores (durably, before the caller acknowledges) and publishes an admitted reading. */
  private async store(
    reading: Reading,
    device: DeviceRecord,
    signed: Uint8Array,
    ctx: IngestContext,
    now: number,
  ): Promise<AcceptedReading> {
    const [provider, service, resource] = reading.resource.split('/') as [string, string, string];
    const accepted: AcceptedReading = {
      deviceId: device.id,
      org: device.org,
      provider,
      service,
      resource,
      value: reading.value,
      unit: reading.unit,
      timestamp: reading.timestamp,
      counter: reading.counter,
      receivedAt: now,
      transport: ctx.transport,
      signature: 'verified',
      attestation: device.attestation === 'attested' ? 'attested' : 'unattested',
      cose: signed,
    };
    // Stored before it is acknowledged: the caller's 2xx or PUBACK means it is durable. A failed
    // store gives the counter back, so the device's retry of the same bytes is accepted.
    try {
      await this.deps.sink?.accept(accepted);
    } catch (err) {
      await this.deps.guard.release(device.id, reading.counter, device.lastCounter);
      throw new MsecError('UNAVAILABLE', 'the reading could not be stored; retry', { status: 503, cause: err });
    }
    this.acceptedBy(ctx.transport).inc();
    await this.deps.bus.publish(SUBJECTS.readingAccepted, accepted);
    return accepted;
  }

  private acceptedBy(transport: string): { inc(): void } {
    let child = this.acceptedChildren.get(transport);
    if (!child) {
      child = this.accepted.labels(transport);
      this.acceptedChildren.set(transport, child);
    }
    return child;
  }

  /** A device publishes only as itself and only under its own provider. */
  private checkBinding(reading: Reading, device: DeviceRecord, ctx: IngestContext): void {
    const subject = ctx.subject;
    if (subject?.kind === 'device' && subject.name !== device.id) {
      throw refuse('READING_SUBJECT_MISMATCH', 'a device may only publish its own readings', 403, {
        subject: subject.name,
        device: device.id,
      });
    }
    if (subject && subject.kind !== 'device' && subject.org !== device.org && subject.org !== 'platform') {
      throw refuse('READING_SUBJECT_MISMATCH', 'readings of another organisation cannot be relayed', 403);
    }
    if (!isOwnProvider(device.id, reading.resource)) {
      throw refuse('READING_WRONG_PROVIDER', 'a device may only publish under its own provider', 403, {
        resource: reading.resource,
      });
    }
  }

  private async signedByRevokedKey(signed: Uint8Array, device: DeviceRecord): Promise<boolean> {
    for (const jwk of await this.deps.cache.registry.revokedKeys(device.id)) {
      try {
        await verifyReading(signed, () => createPublicKey({ key: jwk, format: 'jwk' }));
        return true;
      } catch {
        // not this one
      }
    }
    return false;
  }

  private async report(
    e: MsecError,
    ctx: IngestContext,
    deviceId: string | undefined,
    org: string | undefined,
  ): Promise<void> {
    const at = this.deps.clock.now();
    this.rejected.inc({ code: e.code, transport: ctx.transport });
    const rejected: RejectedReading = {
      code: e.code,
      message: e.message,
      deviceId,
      transport: ctx.transport,
      ip: ctx.ip,
      at,
    };
    try {
      await this.deps.audit.append({
        actorId: ctx.subject?.id ?? null,
        actorName: ctx.subject?.name ?? deviceId ?? null,
        orgId: org ?? ctx.subject?.org ?? null,
        action: 'hub:reading:ingest',
        resource: deviceId ? `device id=${deviceId}` : 'reading',
        outcome: 'denied',
        status: e.status,
        ip: ctx.ip ?? null,
        detail: { code: e.code, reason: e.message, transport: ctx.transport },
      });
    } catch {
      // The refusal stands even if accounting fails; the metric and the event still record it.
    }
    await this.deps.bus.publish(SUBJECTS.readingRejected, rejected).catch(() => undefined);
  }
}
