import { randomBytes } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import { errorMessage, type Logger } from '../../core/index.ts';
import type { HistoryRow, HistoryStore } from '../history/history-store.ts';
import { isLive, type AggregateSpec, type Agreement, type AgreementStore } from './agreements.ts';
import { covered, pseudonym, roundValue } from './transform.ts';
import type { PushAck, PushBody, SharedReading } from './wire.ts';

export interface ExporterDeps {
  agreements: AgreementStore;
  history: HistoryStore;
  logger: Logger;
  now: () => number;
  /** The device key that signed `cose` (received at `receivedAt`), to ship with the reading. */
  deviceKey: (deviceId: string, cose: Uint8Array, receivedAt: number) => Promise<Record<string, unknown> | undefined>;
}

const BATCH = 200;
/** Readings younger than this wait a moment, so rows committed out of id order are not skipped. */
const SETTLE_MS = 200;
/** A window is shared this long after it ends, so readings still on their way count in it. */
export const AGGREGATE_GRACE_MS = 30_000;
/** Most windows summarised per push (a new agreement over a long history catches up in steps). */
const MAX_WINDOWS = 100;

/**
 * Pushes the readings an export agreement covers to the partner hub, resuming from the durable
 * cursor (the last sequence number the partner acknowledged with a signed proof). The partner
 * applies idempotently by (origin, seq), so a retry after a cut never duplicates. Failures back
 * off exponentially up to a minute; a revoked or expired agreement stops at the next step.
 */
export class Exporter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  pushed = 0;
  lastError: string | undefined;

  constructor(
    private readonly agreementId: string,
    private readonly deps: ExporterDeps,
    private readonly pollMs = 250,
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.step(), ms);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    let more = false;
    try {
      const a = await this.deps.agreements.get(this.agreementId);
      if (!a || a.direction !== 'export' || !isLive(a, this.deps.now())) return this.stop();
      more = await this.pushOnce(a);
      this.failures = 0;
      this.lastError = undefined;
    } catch (err) {
      this.failures++;
      this.lastError = errorMessage(err);
      this.deps.logger.warn(
        { agreement: this.agreementId, err: this.lastError, failures: this.failures },
        'federation push failed; retrying with backoff',
      );
    }
    const backoff =
      this.failures === 0 ? (more ? 0 : this.pollMs) : Math.min(60_000, 250 * 2 ** Math.min(this.failures, 8));
    this.schedule(backoff);
  }

  /** One batch; returns whether more may be waiting. */
  async pushOnce(a: Agreement): Promise<boolean> {
    if (a.aggregate) return this.pushWindows(a, a.aggregate);
    const rows = await this.deps.history.localAfter(a.cursor, BATCH, this.deps.now() - SETTLE_MS);
    if (rows.length === 0) return false;
    const last = rows[rows.length - 1]!.id;
    const secrets = await this.deps.agreements.secrets(a.id);
    const items: SharedReading[] = [];
    for (const r of rows) {
      if (r.org !== a.localOrg || !covered(a.resources, r.provider, r.service, r.resource)) continue;
      items.push(await this.toShared(a, secrets.secret, r));
    }
    if (items.length > 0) await this.send(a, secrets.credential ?? '', items);
    // Rows outside the agreement are skipped for good; the cursor moves past them too.
    await this.deps.agreements.advance(a.id, last);
    this.pushed += items.length;
    return rows.length === BATCH;
  }

  /**
   * Aggregating agreements: the closed windows after the cursor (the end of the last window
   * shared), one item per provider, service, resource, device and window. Only numeric readings
   * count. The partner stores each item idempotently by device, resource and window.
   */
  private async pushWindows(a: Agreement, spec: AggregateSpec): Promise<boolean> {
    const windowMs = spec.windowSeconds * 1000;
    const closed = Math.floor((this.deps.now() - AGGREGATE_GRACE_MS) / windowMs) * windowMs;
    let from = a.cursor;
    if (from === 0) {
      const earliest = await this.deps.history.earliestLocal(a.localOrg);
      if (earliest === undefined) return false;
      from = Math.floor(earliest / windowMs) * windowMs;
    }
    const to = Math.min(closed, from + MAX_WINDOWS * windowMs);
    if (to <= from) return false;
    const secrets = await this.deps.agreements.secrets(a.id);
    const secret = a.pseudonymise ? secrets.secret : null;
    const items: SharedReading[] = [];
    for (const w of await this.deps.history.localWindows(a.localOrg, from, to, windowMs)) {
      if (!covered(a.resources, w.provider, w.service, w.resource)) continue;
      items.push({
        seq: to,
        deviceId: secret ? pseudonym(secret, w.deviceId) : w.deviceId,
        provider: secret ? pseudonym(secret, w.provider) : w.provider,
        service: w.service,
        resource: w.resource,
        value: roundValue(spec.statistic === 'count' ? w.count : w[spec.statistic], a.decimals),
        timestamp: w.window * windowMs,
        counter: w.window,
        attestation: 'unattested',
        aggregate: { windowSeconds: spec.windowSeconds, statistic: spec.statistic, count: w.count },
        ...(w.unit && spec.statistic !== 'count' ? { unit: w.unit } : {}),
      });
    }
    for (let i = 0; i < items.length; i += BATCH)
      await this.send(a, secrets.credential ?? '', items.slice(i, i + BATCH));
    await this.deps.agreements.advance(a.id, to);
    this.pushed += items.length;
    return to < closed;
  }

  private async toShared(a: Agreement, secret: string | null, r: HistoryRow): Promise<SharedReading> {
    const value = roundValue(JSON.parse(r.value) as number | boolean | string, a.decimals);
    const item: SharedReading = {
      // A device publishes under its own id as provider: a pseudonym hides both or neither.
      seq: r.id,
      deviceId: a.pseudonymise && secret ? pseudonym(secret, r.device_id) : r.device_id,
      provider: a.pseudonymise && secret ? pseudonym(secret, r.provider) : r.provider,
      service: r.service,
      resource: r.resource,
      value,
      timestamp: r.ts,
      counter: r.counter,
      attestation: r.attestation,
      ...(r.unit ? { unit: r.unit } : {}),
    };
    if (a.keepSignatures && r.cose) {
      const key = await this.deps.deviceKey(r.device_id, r.cose, r.received_at);
      if (key)
        Object.assign(item, {
          cose: Buffer.from(r.cose).toString('base64url'),
          deviceKey: { kty: 'EC', crv: 'P-256', x: key.x, y: key.y },
        });
    }
    return item;
  }

  private async send(a: Agreement, credential: string, items: SharedReading[]): Promise<void> {
    const nonce = randomBytes(16).toString('base64url');
    const body: PushBody = { agreementId: a.id, nonce, items };
    const res = await fetch(new URL('/api/v1/federation/inbound', a.endpoint!), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status !== 200) throw new Error(`partner answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const ack = (await res.json()) as PushAck;
    // Mutual authentication: only the partner's platform key can produce this proof.
    const key = await importJWK(a.partnerKey as JWK, 'ES256');
    const { payload } = await compactVerify(ack.proof, key);
    const proved = JSON.parse(new TextDecoder().decode(payload)) as {
      agreementId: string;
      nonce: string;
      acked: number;
    };
    const maxSeq = items[items.length - 1]!.seq;
    if (proved.agreementId !== a.id || proved.nonce !== nonce || proved.acked !== maxSeq)
      throw new Error('partner acknowledgement proof does not match the batch');
  }
}
