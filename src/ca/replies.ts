/** What the CA routes answer (their `schema.response`; Fastify serialises with these). */
import Type from 'typebox';
import { errorReplies, mediaReply } from '../core/index.ts';

const Millis = Type.Integer({ description: 'ms since the epoch' });
const Status = Type.Union([Type.Literal('good'), Type.Literal('revoked'), Type.Literal('unknown')]);

/** The public, OCSP-style answer: it names no holder. */
export const PublicStatus = Type.Object({
  serial: Type.String(),
  status: Status,
  thisUpdate: Millis,
  notBefore: Type.Optional(Millis),
  notAfter: Type.Optional(Millis),
  revokedAt: Type.Optional(Millis),
  reason: Type.Optional(Type.String()),
});

/** A certificate's status as its organisation sees it, with its holder. */
export const HolderStatus = Type.Object({
  ...PublicStatus.properties,
  kind: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  org: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const StatusList = Type.Object({ items: Type.Array(HolderStatus) });

export const Issued = Type.Object({
  serial: Type.String(),
  certificate: Type.String({ description: 'the client certificate, PEM' }),
  ca: Type.String({ description: 'the root that issued it, PEM' }),
  keyBinding: Type.Union([Type.Literal('enrolled'), Type.Literal('separate'), Type.Literal('server')]),
  notBefore: Millis,
  notAfter: Millis,
  renews: Type.Optional(Type.String({ description: 'the serial this renewal replaces' })),
});

export const RootPem = mediaReply('application/x-pem-file', 'the root certificate, PEM');
export const Crl = {
  description: 'the CRL: DER, or PEM with ?format=pem',
  content: { 'application/pkix-crl': { schema: Type.String() }, 'application/x-pem-file': { schema: Type.String() } },
};

export const issueRefusals = errorReplies({
  400: 'CA_CSR_INVALID, CA_KEY_MISMATCH or CA_RENEWAL_INVALID',
  403: 'CA_SUBJECT_UNSUPPORTED: certificates are for devices and services',
  503: 'CA_KEYSTORE_UNAVAILABLE',
});
export const revokeRefusals = errorReplies({ 404: 'CA_CERT_NOT_FOUND', 409: 'CA_CERT_ALREADY_REVOKED' });
