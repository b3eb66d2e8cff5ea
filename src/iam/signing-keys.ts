import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import {
  generatePlatformKey,
  platformKeyFromPem,
  type Clock,
  type EventBus,
  type PlatformKey,
  type Store,
} from '../core/index.ts';
import type { IamTables } from './schema.ts';

/** Other processes reload the key ring when this is published. */
export const SIGNING_KEYS_SUBJECT = 'iam.signing-keys.changed';
/** How often every process re-reads the ring, so a rotation made without a bus (the CLI) reaches it. */
export const SIGNING_KEYS_REFRESH_MS = 30_000;
/** A retired key verifies this long after its last token can have expired (late refreshes, clock skew). */
const RETIRE_SLACK_MS = SIGNING_KEYS_REFRESH_MS + 60_000;

interface RingKey {
  key: PlatformKey;
  createdAt: number;
  /** When it stops verifying; null while it is the active key. */
  retiresAt: number | null;
}

/**
 * The keys that sign msec's access tokens and OAuth tokens (ES256), with overlap on rotation: the
 * newest key signs, older ones only verify until every token they signed has expired. Until the
 * first rotation the platform key is the signing key, so tokens issued before stay valid. Keys live
 * in the store (so every process shares them), their private halves wrapped with AES-256-GCM under a
 * key derived from the platform key (a copy of the database alone does not yield them).
 */
export class SigningKeys {
  private readonly db: Kysely<IamTables>;
  private ring: RingKey[] = [];
  private timer: NodeJS.Timeout | undefined;
  private offBus: (() => void) | undefined;
  private bus: EventBus | undefined;
  private lastMissReload = 0;

  constructor(
    store: Store,
    private readonly platformKey: PlatformKey,
    private readonly clock: Clock,
    /** Longest lifetime of a token these keys sign (ms). */
    private readonly tokenLifetimeMs: number,
    private readonly maxAgeMs?: number | undefined,
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  async start(bus?: EventBus): Promise<void> {
    await this.reload();
    await this.rotateIfOld();
    if (bus) {
      this.bus = bus;
      this.offBus = bus.subscribe(SIGNING_KEYS_SUBJECT, () => this.reload());
    }
    this.timer = setInterval(() => void this.refresh(), SIGNING_KEYS_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.offBus?.();
    this.offBus = undefined;
  }

  /** The key that signs now. */
  active(): PlatformKey {
    return this.ring.find((k) => k.retiresAt === null)?.key ?? this.platformKey;
  }

  /** Every key that still verifies, newest first: what the JWKS publishes. */
  verifying(): PlatformKey[] {
    const now = this.clock.now();
    const keys = this.ring.filter((k) => k.retiresAt === null || k.retiresAt > now).map((k) => k.key);
    return keys.length > 0 ? keys : [this.platformKey];
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.verifying().map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' })) };
  }

  /**
   * The verification key for a token's `kid`. An unknown kid may be a key another process just
   * rotated to: re-read the ring (at most once a second) before refusing.
   */
  async keyFor(kid: unknown): Promise<PlatformKey | undefined> {
    const find = () => this.verifying().find((k) => k.kid === kid);
    const found = find();
    if (found || typeof kid !== 'string') return found;
    const now = this.clock.now();
    if (now - this.lastMissReload < 1000) return undefined;
    this.lastMissReload = now;
    await this.reload();
    return find();
  }

  /** A new signing key; the current one keeps verifying until its tokens have expired. */
  async rotate(): Promise<{ kid: string; previous: string; previousRetiresAt: number }> {
    const now = this.clock.now();
    const next = generatePlatformKey();
    const retiresAt = now + this.tokenLifetimeMs + RETIRE_SLACK_MS;
    let previous = this.platformKey.kid;
    await this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('iam_signing_keys').selectAll().where('retires_at', 'is', null).execute();
      if (current.length === 0) {
        // The platform key signed until now: record its retirement so it leaves the JWKS in time.
        await tx
          .insertInto('iam_signing_keys')
          .values({ kid: this.platformKey.kid, wrapped_key: null, created_at: 0, retires_at: retiresAt })
          .onConflict((oc) => oc.column('kid').doNothing())
          .execute();
      }
      for (const row of current) previous = row.kid;
      await tx.updateTable('iam_signing_keys').set({ retires_at: retiresAt }).where('retires_at', 'is', null).execute();
      await tx
        .insertInto('iam_signing_keys')
        .values({ kid: next.kid, wrapped_key: this.wrap(next), created_at: now, retires_at: null })
        .execute();
      // Keys retired long ago verify nothing any more.
      await tx
        .deleteFrom('iam_signing_keys')
        .where('retires_at', '<', now - 86_400_000)
        .execute();
    });
    await this.reload();
    await this.bus?.publish(SIGNING_KEYS_SUBJECT, { kid: next.kid, at: now });
    return { kid: next.kid, previous, previousRetiresAt: retiresAt };
  }

  /** Rotates when the active key is older than the configured maximum age. */
  async rotateIfOld(): Promise<boolean> {
    if (!this.maxAgeMs) return false;
    const active = this.ring.find((k) => k.retiresAt === null);
    // Before the first rotation the platform key signs; its age is unknown, so it is rotated at once.
    if (active && this.clock.now() - active.createdAt < this.maxAgeMs) return false;
    await this.rotate();
    return true;
  }

  private async refresh(): Promise<void> {
    try {
      await this.reload();
      await this.rotateIfOld();
    } catch {
      // The store is briefly unreachable: keep the ring we have and try again next round.
    }
  }

  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('iam_signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    const ring: RingKey[] = [];
    for (const r of rows) {
      let key: PlatformKey;
      if (r.wrapped_key === null && r.kid !== this.platformKey.kid) continue;
      try {
        key = r.wrapped_key === null ? this.platformKey : this.unwrap(r.wrapped_key);
      } catch {
        // Wrapped under another platform key (a process of another deployment on this store): not ours to use.
        continue;
      }
      ring.push({
        key,
        createdAt: Number(r.created_at),
        retiresAt: r.retires_at === null ? null : Number(r.retires_at),
      });
    }
    this.ring = ring;
  }

  private wrapKey(): Buffer {
    const d = (this.platformKey.privateKey.export({ format: 'jwk' }) as JWK).d!;
    return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), '', 'msec token-signing key wrap v1', 32));
  }

  private wrap(key: PlatformKey): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.wrapKey(), iv);
    const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const body = Buffer.concat([c.update(pem, 'utf8'), c.final()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${c.getAuthTag().toString('base64url')}`;
  }

  private unwrap(wrapped: string): PlatformKey {
    const [v, iv, body, tag] = wrapped.split('.');
    if (v !== 'v1' || !iv || !body || !tag) throw new Error('unknown signing-key wrapping');
    const d = createDecipheriv('aes-256-gcm', this.wrapKey(), Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    const pem = Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    return platformKeyFromPem(pem);
  }
}
