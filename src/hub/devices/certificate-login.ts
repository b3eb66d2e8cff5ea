/**
 * Authentication by a client certificate from msec's CA (mTLS): the CA checks issuer, validity
 * and revocation (cached, invalidated by the bus at once on a revoke); the hub then maps the
 * certificate's identity to the device as it stands now (revoked or quarantined devices are
 * refused) or to the service principal (disabled ones are refused).
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { CertificateAuthority } from '../../ca/index.ts';
import { MsecError } from '../../core/index.ts';
import type { Iam, Subject } from '../../iam/index.ts';
import type { DeviceCache } from './device-cache.ts';

export type CertificateLogin = (raw: Buffer) => Promise<Subject>;

function refused(code: string, message: string): MsecError {
  return new MsecError(code, message, { status: 401 });
}

export function certificateLogin(ca: CertificateAuthority, cache: DeviceCache, iam: Iam): CertificateLogin {
  return async (raw) => {
    const who = await ca.checkPeer(raw);
    if (who.kind === 'device') {
      const device = await cache.get(who.id);
      if (!device || device.org !== who.org)
        throw refused('CA_CERT_UNKNOWN', 'the certificate names an unknown device');
      if (device.status === 'revoked') throw refused('DEVICE_KEY_REVOKED', 'the device is revoked');
      if (device.attestation === 'quarantined')
        throw new MsecError('DEVICE_QUARANTINED', 'the device is quarantined', { status: 403 });
      return {
        id: device.principalId,
        name: device.id,
        kind: 'device',
        org: device.org,
        roles: ['device'],
        via: 'certificate',
      };
    }
    const p = await iam.directory.get(who.id);
    if (!p || p.disabled || p.kind !== 'service' || p.orgId !== who.org)
      throw refused('CA_CERT_UNKNOWN', 'the certificate names no enabled service');
    return { id: p.id, name: p.name, kind: 'service', org: p.orgId, roles: p.roles, via: 'certificate' };
  };
}

/** The device's enrolled signing key, for the CA's `enrolled` key binding. */
export function enrolledKeyLookup(cache: DeviceCache): (deviceId: string) => Promise<KeyObject | undefined> {
  return async (deviceId) => {
    const d = await cache.get(deviceId);
    return d && d.status !== 'revoked' ? createPublicKey({ key: d.signingJwk, format: 'jwk' }) : undefined;
  };
}

/** A TLS server key (in memory) and certificate from the CA, for the hub's mTLS listeners. */
export async function hubServerCertificate(
  ca: CertificateAuthority,
  host: string,
  lifetimeSeconds: number,
): Promise<{ key: string; cert: string; notAfter: number; notBefore: number }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const dns = ['localhost', ...(host && !isIP(host) && host !== 'localhost' ? [host] : [])];
  const ips = [
    '127.0.0.1',
    '::1',
    ...(isIP(host) && !['127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) ? [host] : []),
  ];
  const issued = await ca.issueServer({ publicKey, dns, ips, lifetimeSeconds });
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: issued.pem,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
  };
}
