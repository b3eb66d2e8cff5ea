/** What the CA issues, records and answers: its certificates, their status, and revocation reasons. */
import type { CertKind } from './profile.ts';
import { x509 } from './x509.ts';

export const CA_REVOKED_SUBJECT = 'ca.certificate.revoked';

export const REVOCATION_REASONS = {
  unspecified: x509.X509CrlReason.unspecified,
  keyCompromise: x509.X509CrlReason.keyCompromise,
  affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessationOfOperation: x509.X509CrlReason.cessationOfOperation,
  privilegeWithdrawn: x509.X509CrlReason.privilegeWithdrawn,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** Who a client certificate is for: the authenticated caller, never what its CSR claims. */
export interface CertificateHolder {
  kind: 'device' | 'service';
  /** Device id, or the service principal's id. */
  id: string;
  /** CN: the device id or the service's name. */
  name: string;
  principalId: string;
  org: string | null;
}

export interface IssuedCertificate {
  serial: string;
  kind: CertKind;
  name: string;
  org: string | null;
  keyBinding: 'enrolled' | 'separate' | 'server';
  notBefore: number;
  notAfter: number;
  pem: string;
  der: Buffer;
  renews: string | null;
}

export interface CertificateStatus {
  serial: string;
  status: 'good' | 'revoked' | 'unknown';
  /** When this answer was produced, ms. */
  thisUpdate: number;
  kind?: CertKind;
  name?: string;
  org?: string | null;
  notBefore?: number;
  notAfter?: number;
  revokedAt?: number;
  reason?: string;
}

/** Who a presented certificate authenticates, once checkPeer accepted it. */
export interface PeerIdentity {
  serial: string;
  kind: 'device' | 'service';
  id: string;
  org: string | null;
  notAfter: number;
}
