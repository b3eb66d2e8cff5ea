/**
 * msec's internal certificate authority: an ECDSA P-256 root whose private key stays in a key
 * store (software, encrypted at rest, or a TPM), issuing short-lived client certificates to
 * devices and services, the hub's TLS server certificate, a CRL, and per-serial status answers.
 * Revocations reach every process sharing the store through the bus (`ca.certificate.revoked`),
 * so the connect-time check (`checkPeer`) is a cache lookup that is never stale after a revoke.
 */
import { createPublicKey, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, type Clock, type EventBus, type Logger, type Store } from '../core/index.ts';
import type { DeviceKeyStore } from '../device/index.ts';
import { ECDSA_P256, keyStoreCrypto, keyStoreKey } from './keystore-crypto.ts';
import {
  BACKDATE_S,
  CA_LIFETIME_S,
  CA_SUBJECT,
  caExtensions,
  clientSubjectName,
  DEFAULT_CLIENT_LIFETIME_S,
  identityFromSan,
  leafExtensions,
  MAX_CLIENT_LIFETIME_S,
  MIN_CLIENT_LIFETIME_S,
  newSerial,
  normaliseSerial,
  spkiSha256,
  URI_PREFIX,
  type CertKind,
} from './profile.ts';
import {
  CA_REVOKED_SUBJECT,
  REVOCATION_REASONS,
  type CertificateHolder,
  type CertificateStatus,
  type IssuedCertificate,
  type PeerIdentity,
  type RevocationReason,
} from './records.ts';
import type { CaTables } from './schema.ts';
import { x509 } from './x509.ts';

export interface AuthorityOptions {
  keyStore: DeviceKeyStore;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Key label of the CA's signing key inside the store. */
  label?: string;
  /** Where the CRL is served, put in every leaf's CRL distribution point. */
  crlUrl?: () => string | undefined;
  /** How long a `good` status stays cached for connect-time checks; revocations invalidate at once. */
  statusCacheMs?: number;
}

/** Connect-time refusals are authentication failures (401); the rest are statused by the server. */
const CONNECT_REFUSALS = new Set(['CA_CERT_REVOKED', 'CA_CERT_EXPIRED', 'CA_CERT_UNKNOWN']);

function fail(code: string, message: string): MsecError {
  return new MsecError(code, message, CONNECT_REFUSALS.has(code) ? { status: 401 } : {});
}

const CRL_VALIDITY_MS = 3600_000;

export class CertificateAuthority {
  private readonly db: Kysely<CaTables>;
  private readonly crypto = keyStoreCrypto();
  private readonly status = new Map<
    string,
    { revoked: boolean; notAfter: number; org: string | null; until: number }
  >();
  private crlCache: { der: Buffer; until: number } | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Set by the hub: a device's enrolled signing key, so a CSR for that key is bound `enrolled`. */
  deviceKeys: ((deviceId: string) => Promise<KeyObject | undefined>) | undefined;

  private constructor(
    private readonly opts: AuthorityOptions,
    private readonly label: string,
    readonly certificate: x509.X509Certificate,
  ) {
    this.db = opts.store.db.withTables<CaTables>();
    this.unsubscribe = opts.bus.subscribe(CA_REVOKED_SUBJECT, (e) => {
      const serial = (e.data as { serial?: unknown }).serial;
      if (typeof serial === 'string') this.forget(serial);
    });
  }

  /** Loads the root from the store, or creates it (key in the key store, certificate in `ca_authorities`). */
  static async open(opts: AuthorityOptions): Promise<CertificateAuthority> {
    const label = opts.label ?? 'ca-root';
    const db = opts.store.db.withTables<CaTables>();
    let pub: KeyObject;
    try {
      pub = (await opts.keyStore.ensureSigningKey(label)).publicKey;
    } catch (err) {
      throw new MsecError('CA_KEYSTORE_UNAVAILABLE', `the CA key store failed: ${(err as Error).message}`);
    }
    let row = await db.selectFrom('ca_authorities').selectAll().where('id', '=', 'root').executeTakeFirst();
    if (!row) {
      const cert = await CertificateAuthority.selfSign(opts, label, pub);
      await db
        .insertInto('ca_authorities')
        .values({ id: 'root', label, cert_der: Buffer.from(cert.rawData), created_at: opts.clock.now() })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      row = await db.selectFrom('ca_authorities').selectAll().where('id', '=', 'root').executeTakeFirstOrThrow();
      opts.logger.info({ label, kind: opts.keyStore.kind }, 'certificate authority created');
    }
    const cert = new x509.X509Certificate(Buffer.from(row.cert_der));
    const certKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    if (spkiSha256(certKey) !== spkiSha256(pub))
      throw new MsecError(
        'CA_KEYSTORE_UNAVAILABLE',
        'this key store does not hold the key of the CA certificate in the database (share the CA key store between hubs)',
      );
    return new CertificateAuthority(opts, label, cert);
  }

  private static async selfSign(opts: AuthorityOptions, label: string, pub: KeyObject): Promise<x509.X509Certificate> {
    const now = opts.clock.now();
    const publicKey = await new x509.PublicKey(pub.export({ type: 'spki', format: 'der' })).export();
    return x509.X509CertificateGenerator.create(
      {
        serialNumber: newSerial(),
        subject: CA_SUBJECT,
        issuer: CA_SUBJECT,
        notBefore: new Date(now - BACKDATE_S * 1000),
        notAfter: new Date(now + CA_LIFETIME_S * 1000),
        publicKey,
        signingKey: keyStoreKey(opts.keyStore, label),
        signingAlgorithm: ECDSA_P256,
        extensions: await caExtensions(publicKey),
      },
      keyStoreCrypto(),
    );
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get pem(): string {
    return this.certificate.toString('pem');
  }

  get der(): Buffer {
    return Buffer.from(this.certificate.rawData);
  }

  /**
   * Verifies a PKCS #10 request (PEM or DER): its self-signature proves possession of the key.
   * The subject it names is ignored; the certificate names the authenticated holder.
   */
  async parseCsr(csr: string | Buffer): Promise<{ request: x509.Pkcs10CertificateRequest; key: KeyObject }> {
    let request: x509.Pkcs10CertificateRequest;
    try {
      request = new x509.Pkcs10CertificateRequest(csr);
    } catch {
      throw fail('CA_CSR_INVALID', 'the CSR is not a PKCS #10 request in PEM or DER');
    }
    const alg = request.publicKey.algorithm as { name?: string; namedCurve?: string };
    if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
      throw fail('CA_CSR_INVALID', 'the CSR key must be ECDSA P-256');
    let ok = false;
    try {
      ok = await request.verify();
    } catch {
      ok = false;
    }
    if (!ok) throw fail('CA_CSR_INVALID', 'the CSR signature does not verify (no proof of possession)');
    const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
    return { request, key };
  }

  /**
   * Issues a client certificate to `holder` for the CSR's key. `enrolledKey`: the device's
   * registered signing key; when the CSR's key is that key the binding is `enrolled` (a TPM
   * device's certificate key then stays in its TPM), else `separate` (a TLS key the device made,
   * authorised by the enrolled key that signed the request's credential).
   */
  async issueClient(req: {
    csr: string | Buffer;
    holder: CertificateHolder;
    enrolledKey?: KeyObject | undefined;
    requireEnrolledKey?: boolean;
    lifetimeSeconds?: number | undefined;
    renews?: string | undefined;
    /** Tests and the demo only: an explicit validity (e.g. an expired certificate). */
    validity?: { notBefore: number; notAfter: number };
  }): Promise<IssuedCertificate> {
    const { request, key } = await this.parseCsr(req.csr);
    const spki = spkiSha256(key);
    const enrolled = req.enrolledKey !== undefined && spkiSha256(req.enrolledKey) === spki;
    if (req.requireEnrolledKey && !enrolled)
      throw fail('CA_KEY_MISMATCH', "the CSR's key is not the device's enrolled signing key");
    let renews: string | null = null;
    if (req.renews !== undefined) {
      const old = await this.row(req.renews);
      const now = this.opts.clock.now();
      if (
        !old ||
        old.principal_id !== req.holder.principalId ||
        old.revoked_at !== null ||
        Number(old.not_after) <= now
      )
        throw fail('CA_RENEWAL_INVALID', 'renews must name a current, unrevoked certificate of the same holder');
      renews = old.serial;
    }
    const lifetime = Math.min(
      Math.max(req.lifetimeSeconds ?? DEFAULT_CLIENT_LIFETIME_S, MIN_CLIENT_LIFETIME_S),
      MAX_CLIENT_LIFETIME_S,
    );
    const now = this.opts.clock.now();
    const validity = req.validity ?? { notBefore: now - BACKDATE_S * 1000, notAfter: now + lifetime * 1000 };
    return this.sign({
      kind: req.holder.kind,
      subject: clientSubjectName(req.holder.name, req.holder.org),
      uri: URI_PREFIX[req.holder.kind] + req.holder.id,
      publicKey: request.publicKey,
      spki,
      holder: req.holder,
      keyBinding: enrolled ? 'enrolled' : 'separate',
      renews,
      validity,
    });
  }

  /** A TLS server certificate for the hub's own listeners (its key made by the caller, kept in memory). */
  async issueServer(req: {
    publicKey: KeyObject;
    dns: string[];
    ips: string[];
    lifetimeSeconds: number;
  }): Promise<IssuedCertificate> {
    const now = this.opts.clock.now();
    return this.sign({
      kind: 'server',
      subject: `CN=${req.dns[0] ?? req.ips[0] ?? 'msec hub'},O=msec`,
      dns: req.dns,
      ips: req.ips,
      publicKey: new x509.PublicKey(req.publicKey.export({ type: 'spki', format: 'der' })),
      spki: spkiSha256(req.publicKey),
      holder: { kind: 'device', id: 'hub', name: 'hub', principalId: '', org: null },
      keyBinding: 'server',
      renews: null,
      validity: { notBefore: now - BACKDATE_S * 1000, notAfter: now + req.lifetimeSeconds * 1000 },
    });
  }

  private async sign(s: {
    kind: CertKind;
    subject: string;
    uri?: string;
    dns?: string[];
    ips?: string[];
    publicKey: x509.PublicKey;
    spki: string;
    holder: CertificateHolder;
    keyBinding: IssuedCertificate['keyBinding'];
    renews: string | null;
    validity: { notBefore: number; notAfter: number };
  }): Promise<IssuedCertificate> {
    const serial = newSerial();
    const cryptoKey = await s.publicKey.export();
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial,
        subject: s.subject,
        issuer: this.certificate.subject,
        notBefore: new Date(s.validity.notBefore),
        notAfter: new Date(s.validity.notAfter),
        publicKey: s.publicKey,
        signingKey: keyStoreKey(this.opts.keyStore, this.label),
        signingAlgorithm: ECDSA_P256,
        extensions: await leafExtensions({
          kind: s.kind,
          ...(s.uri ? { uri: s.uri } : {}),
          ...(s.dns ? { dns: s.dns } : {}),
          ...(s.ips ? { ips: s.ips } : {}),
          publicKey: cryptoKey,
          caCert: this.certificate,
          crlUrl: this.opts.crlUrl?.(),
        }),
      },
      this.crypto,
    );
    const der = Buffer.from(cert.rawData);
    // X.509 validity has second precision; store what the certificate says.
    const notBefore = cert.notBefore.getTime();
    const notAfter = cert.notAfter.getTime();
    if (s.kind !== 'server') {
      await this.db
        .insertInto('ca_certificates')
        .values({
          serial,
          kind: s.kind,
          principal_id: s.holder.principalId,
          name: s.holder.name,
          org_id: s.holder.org,
          spki_sha256: s.spki,
          key_binding: s.keyBinding,
          renews: s.renews,
          not_before: notBefore,
          not_after: notAfter,
          issued_at: this.opts.clock.now(),
          revoked_at: null,
          revoke_reason: null,
          der,
        })
        .execute();
    }
    return {
      serial,
      kind: s.kind,
      name: s.kind === 'server' ? s.subject : s.holder.name,
      org: s.holder.org,
      keyBinding: s.keyBinding,
      notBefore,
      notAfter,
      pem: cert.toString('pem'),
      der,
      renews: s.renews,
    };
  }

  private row(serial: string) {
    return this.db
      .selectFrom('ca_certificates')
      .selectAll()
      .where('serial', '=', normaliseSerial(serial))
      .executeTakeFirst();
  }

  /** The issued certificate record, for owner checks by the routes. */
  async find(serial: string): Promise<{ serial: string; principalId: string | null; org: string | null } | undefined> {
    const r = await this.row(serial);
    return r ? { serial: r.serial, principalId: r.principal_id, org: r.org_id } : undefined;
  }

  async revoke(serial: string, reason: RevocationReason = 'unspecified'): Promise<CertificateStatus> {
    const s = normaliseSerial(serial);
    const now = this.opts.clock.now();
    const updated = await this.db
      .updateTable('ca_certificates')
      .set({ revoked_at: now, revoke_reason: reason })
      .where('serial', '=', s)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      const r = await this.row(s);
      throw r
        ? fail('CA_CERT_ALREADY_REVOKED', 'the certificate is already revoked')
        : fail('CA_CERT_NOT_FOUND', 'no certificate with that serial');
    }
    this.forget(s);
    await this.opts.bus.publish(CA_REVOKED_SUBJECT, { serial: s, reason, at: now });
    return this.statusOf(s);
  }

  /** Revokes every current certificate of a principal (a device revoked at the hub, a service removed). */
  async revokeAllOf(principalId: string, reason: RevocationReason): Promise<number> {
    const rows = await this.db
      .selectFrom('ca_certificates')
      .select('serial')
      .where('principal_id', '=', principalId)
      .where('revoked_at', 'is', null)
      .execute();
    for (const r of rows) await this.revoke(r.serial, reason).catch(() => undefined);
    return rows.length;
  }

  private forget(serial: string): void {
    this.status.delete(serial);
    this.crlCache = undefined;
  }

  /** The OCSP-style answer for one serial: good, revoked (when, why) or unknown. */
  async statusOf(serial: string): Promise<CertificateStatus> {
    const thisUpdate = this.opts.clock.now();
    const r = /^[0-9a-fA-F]{1,64}$/.test(serial) ? await this.row(serial) : undefined;
    if (!r) return { serial: normaliseSerial(serial), status: 'unknown', thisUpdate };
    return {
      serial: r.serial,
      status: r.revoked_at === null ? 'good' : 'revoked',
      thisUpdate,
      kind: r.kind,
      name: r.name,
      org: r.org_id,
      notBefore: Number(r.not_before),
      notAfter: Number(r.not_after),
      ...(r.revoked_at !== null ? { revokedAt: Number(r.revoked_at), reason: r.revoke_reason ?? 'unspecified' } : {}),
    };
  }

  async list(q: { principalId?: string; orgId?: string; limit?: number }): Promise<CertificateStatus[]> {
    let sel = this.db.selectFrom('ca_certificates').select('serial');
    if (q.principalId) sel = sel.where('principal_id', '=', q.principalId);
    if (q.orgId) sel = sel.where('org_id', '=', q.orgId);
    const rows = await sel
      .orderBy('issued_at', 'desc')
      .limit(Math.min(q.limit ?? 100, 1000))
      .execute();
    return Promise.all(rows.map((r) => this.statusOf(r.serial)));
  }

  /** The CRL (DER), signed in the key store; re-made after each revocation, else hourly. */
  async crl(): Promise<Buffer> {
    const now = this.opts.clock.now();
    if (this.crlCache && this.crlCache.until > now) return this.crlCache.der;
    const revoked = await this.db
      .selectFrom('ca_certificates')
      .select(['serial', 'revoked_at', 'revoke_reason'])
      .where('revoked_at', 'is not', null)
      .where('not_after', '>', now)
      .orderBy('revoked_at', 'asc')
      .execute();
    const crl = await x509.X509CrlGenerator.create(
      {
        issuer: this.certificate.subject,
        thisUpdate: new Date(now),
        nextUpdate: new Date(now + CRL_VALIDITY_MS),
        entries: revoked.map((r) => ({
          serialNumber: r.serial,
          revocationDate: new Date(Number(r.revoked_at)),
          reason: REVOCATION_REASONS[(r.revoke_reason ?? 'unspecified') as RevocationReason] ?? 0,
        })),
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(this.certificate, false)],
        signingKey: keyStoreKey(this.opts.keyStore, this.label),
        signingAlgorithm: ECDSA_P256,
      },
      this.crypto,
    );
    const der = Buffer.from(crl.rawData);
    this.crlCache = { der, until: now + Math.min(CRL_VALIDITY_MS / 2, this.opts.statusCacheMs ?? 60_000) };
    return der;
  }

  /**
   * The connect-time check of a client certificate TLS already verified against this CA's root:
   * issued by this CA, inside its validity by the platform clock, not revoked. Cached; a revoke
   * (here or in any process, via the bus) invalidates its entry at once.
   */
  async checkPeer(raw: Buffer): Promise<PeerIdentity> {
    let cert: NodeX509;
    try {
      cert = new NodeX509(raw);
    } catch {
      throw fail('CA_CERT_UNKNOWN', 'the client certificate does not parse');
    }
    if (!cert.checkIssued(this.nodeRoot) || !cert.verify(this.nodeRoot.publicKey))
      throw fail('CA_CERT_UNKNOWN', 'the client certificate was not issued by this CA');
    const identity = identityFromSan(cert.subjectAltName);
    if (!identity) throw fail('CA_CERT_UNKNOWN', 'the client certificate names no msec device or service');
    const serial = normaliseSerial(cert.serialNumber);
    const now = this.opts.clock.now();
    let entry = this.status.get(serial);
    if (!entry || entry.until <= now) {
      const r = await this.row(serial);
      if (!r) throw fail('CA_CERT_UNKNOWN', 'this CA has no record of the client certificate');
      entry = {
        revoked: r.revoked_at !== null,
        notAfter: Number(r.not_after),
        org: r.org_id,
        until: now + (this.opts.statusCacheMs ?? 60_000),
      };
      if (this.status.size > 100_000) this.status.clear();
      this.status.set(serial, entry);
    }
    if (entry.revoked) throw fail('CA_CERT_REVOKED', 'the client certificate is revoked');
    if (entry.notAfter <= now || Date.parse(cert.validFrom) > now + BACKDATE_S * 1000)
      throw fail('CA_CERT_EXPIRED', 'the client certificate is outside its validity period');
    return { serial, kind: identity.kind, id: identity.id, org: entry.org, notAfter: entry.notAfter };
  }

  private nodeRootCache: NodeX509 | undefined;
  private get nodeRoot(): NodeX509 {
    return (this.nodeRootCache ??= new NodeX509(this.der));
  }
}
