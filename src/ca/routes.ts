import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../core/index.ts';
import type { CertificateAuthority } from './authority.ts';
import { REVOCATION_REASONS, type RevocationReason } from './records.ts';
import * as R from './replies.ts';
import { MAX_CLIENT_LIFETIME_S, MIN_CLIENT_LIFETIME_S } from './profile.ts';

const Serial = Type.String({ pattern: '^[0-9a-fA-F]{1,64}$' });
const SerialParams = Type.Object({ serial: Serial }, { additionalProperties: false });
const IssueBody = Type.Object(
  {
    /** PKCS #10 in PEM, signed by the key to certify. */
    csr: Type.String({ minLength: 100, maxLength: 8192 }),
    /** `enrolled`: the CSR key must be the device's enrolled signing key (it stays in the TPM). */
    key: Type.Optional(Type.Union([Type.Literal('enrolled'), Type.Literal('separate')])),
    lifetimeSeconds: Type.Optional(Type.Integer({ minimum: MIN_CLIENT_LIFETIME_S, maximum: MAX_CLIENT_LIFETIME_S })),
    /** Serial of the caller's current certificate, when this is a renewal. */
    renews: Type.Optional(Serial),
  },
  { additionalProperties: false },
);
const RevokeBody = Type.Object(
  { reason: Type.Optional(Type.Union(Object.keys(REVOCATION_REASONS).map((r) => Type.Literal(r)))) },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  {
    principal: Type.Optional(Type.String({ maxLength: 200 })),
    org: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const CrlQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('der'), Type.Literal('pem')])) },
  { additionalProperties: false },
);

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

const notFound = () => new MsecError('CA_CERT_NOT_FOUND', 'no certificate with that serial');

/** The CA's HTTP face (mounted under /api/v1): docs/iam.md, "Certificate authority". */
export async function caRoutes(app: FastifyInstance, ca: CertificateAuthority): Promise<void> {
  app.get(
    '/ca/certificate',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ca'],
        summary: "The CA's root certificate (PEM): the trust anchor for msec's mTLS listeners",
        response: { 200: R.RootPem },
      },
    },
    async (_req, reply) => reply.type('application/x-pem-file').send(ca.pem),
  );

  app.get<{ Querystring: Static<typeof CrlQuery> }>(
    '/ca/crl',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ca'],
        summary: 'The certificate revocation list (RFC 5280), DER (application/pkix-crl) or ?format=pem',
        querystring: CrlQuery,
        response: { 200: R.Crl },
      },
    },
    async (req, reply) => {
      const der = await ca.crl();
      reply.header('cache-control', 'no-cache');
      if (req.query.format === 'pem') return reply.type('application/x-pem-file').send(pem('X509 CRL', der));
      return reply.type('application/pkix-crl').send(der);
    },
  );

  app.get<{ Params: Static<typeof SerialParams> }>(
    '/ca/status/:serial',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ca'],
        summary: 'OCSP-style status of one certificate: good, revoked (when, why) or unknown',
        params: SerialParams,
        response: { 200: R.PublicStatus },
      },
    },
    async (req) => {
      const s = await ca.statusOf(req.params.serial);
      // Public like OCSP, but it names no holder: that is for the holder's organisation to see.
      return {
        serial: s.serial,
        status: s.status,
        thisUpdate: s.thisUpdate,
        ...(s.notAfter !== undefined ? { notBefore: s.notBefore, notAfter: s.notAfter } : {}),
        ...(s.revokedAt !== undefined ? { revokedAt: s.revokedAt, reason: s.reason } : {}),
      };
    },
  );

  app.post<{ Body: Static<typeof IssueBody> }>(
    '/ca/certificates',
    {
      config: {
        security: {
          action: 'ca:certificate:request',
          resource: (req) => ({ type: 'certificate', org: req.subject?.org, owner: req.subject?.id }),
        },
      },
      schema: {
        tags: ['ca'],
        summary: 'Get (or renew) a short-lived client certificate for the calling device or service',
        body: IssueBody,
        security: [{ bearerAuth: [] }],
        response: { 201: R.Issued, ...R.issueRefusals },
      },
    },
    async (req, reply) => {
      const s = req.subject!;
      if (s.kind !== 'device' && s.kind !== 'service')
        throw new MsecError('CA_SUBJECT_UNSUPPORTED', 'client certificates are for devices and services');
      const enrolledKey = s.kind === 'device' ? await ca.deviceKeys?.(s.name) : undefined;
      const issued = await ca.issueClient({
        csr: req.body.csr,
        holder: {
          kind: s.kind,
          id: s.kind === 'device' ? s.name : s.id,
          name: s.name,
          principalId: s.id,
          org: s.org ?? null,
        },
        enrolledKey,
        requireEnrolledKey: req.body.key === 'enrolled',
        lifetimeSeconds: req.body.lifetimeSeconds,
        renews: req.body.renews,
      });
      req.auditNote = {
        resource: `certificate serial=${issued.serial}`,
        detail: { keyBinding: issued.keyBinding, notAfter: issued.notAfter, renews: issued.renews },
      };
      reply.status(201);
      return {
        serial: issued.serial,
        certificate: issued.pem,
        ca: ca.pem,
        keyBinding: issued.keyBinding,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        ...(issued.renews ? { renews: issued.renews } : {}),
      };
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/ca/certificates',
    {
      config: {
        security: {
          action: 'ca:certificate:read',
          resource: (req) => ({
            type: 'certificate',
            org: (req.query as { org?: string }).org ?? req.subject?.org,
            owner: req.subject?.id,
          }),
        },
      },
      schema: {
        tags: ['ca'],
        summary: 'List issued certificates of an organisation (or one principal) with their status',
        querystring: ListQuery,
        security: [{ bearerAuth: [] }],
        response: { 200: R.StatusList },
      },
    },
    async (req) => {
      const s = req.subject!;
      const org = req.query.org ?? (s.org === 'platform' ? undefined : s.org);
      const items = await ca.list({
        ...(org ? { orgId: org } : {}),
        ...(req.query.principal ? { principalId: req.query.principal } : {}),
        limit: req.query.limit ?? 100,
      });
      return { items };
    },
  );

  app.post<{ Params: Static<typeof SerialParams>; Body: Static<typeof RevokeBody> }>(
    '/ca/certificates/:serial/revoke',
    {
      config: {
        security: {
          action: 'ca:certificate:revoke',
          resource: (req) => ({ type: 'certificate', org: req.subject?.org, owner: req.subject?.id }),
        },
      },
      schema: {
        tags: ['ca'],
        summary: 'Revoke a certificate: refused at the next connection, listed in the CRL',
        params: SerialParams,
        body: RevokeBody,
        security: [{ bearerAuth: [] }],
        response: { 200: R.HolderStatus, ...R.revokeRefusals },
      },
    },
    async (req) => {
      const cert = await ca.find(req.params.serial);
      if (!cert) throw notFound();
      req.authorize(
        'ca:certificate:revoke',
        { type: 'certificate', org: cert.org ?? undefined, owner: cert.principalId ?? undefined },
        notFound(),
      );
      const status = await ca.revoke(cert.serial, (req.body?.reason ?? 'unspecified') as RevocationReason);
      req.auditNote = { resource: `certificate serial=${cert.serial}`, detail: { reason: status.reason } };
      return status;
    },
  );
}
