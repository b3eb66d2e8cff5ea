import { serviceKey } from '../core/index.ts';
import type { CertificateAuthority } from './authority.ts';

/** The certificate authority, for the hub's mTLS listeners (revocation checks, server certificate). */
export const CA = serviceKey<CertificateAuthority>('ca');
