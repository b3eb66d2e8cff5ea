/** The device and service certificate authority: one platform module, its service and client helpers. */
export { caModule, type CaModuleOptions } from './module.ts';
export { CA } from './services.ts';
export { CertificateAuthority } from './authority.ts';
export {
  CA_REVOKED_SUBJECT,
  REVOCATION_REASONS,
  type CertificateHolder,
  type CertificateStatus,
  type IssuedCertificate,
  type PeerIdentity,
  type RevocationReason,
} from './records.ts';
export { createCsr, createCsrInKeyStore, renewalDue } from './csr.ts';
export { CA_ERROR_CODES, type CaErrorCode } from './errors.ts';
