/**
 * Device credentials: a short-lived compact JWS (ES256) that the device signs inside its key store
 * with its current reading key. Header {alg: ES256, typ: msec-device+jwt, kid: deviceId}; claims
 * {iss = sub = deviceId, aud, iat, exp}. The hub checks it with the cached KeyObject of the
 * device's current key: the same key that signs readings, so revoking it ends both at once.
 */
import { verify } from 'node:crypto';
import { MsecError, type Clock } from '../../core/index.ts';
import type { Subject } from '../../iam/index.ts';
import type { DeviceAuthenticator } from '../contracts.ts';
import type { DeviceCache } from './device-cache.ts';
import {
  CREDENTIAL_CLOCK_SKEW_S as SKEW_S,
  DEVICE_CREDENTIAL_AUDIENCE,
  DEVICE_CREDENTIAL_TYPE,
  DEVICE_ID,
  MAX_CREDENTIAL_LIFETIME_S,
} from '../../device/index.ts';

export { DEVICE_CREDENTIAL_AUDIENCE, DEVICE_CREDENTIAL_TYPE, MAX_CREDENTIAL_LIFETIME_S };

function invalid(message: string): MsecError {
  return new MsecError('TOKEN_INVALID', message, { status: 401 });
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The header of a compact JWS if it claims to be a device credential. */
export function deviceCredentialHeader(credential: string): { kid: string } | undefined {
  const dot = credential.indexOf('.');
  if (dot <= 0 || dot > 512) return undefined;
  const header = decodeJson(credential.slice(0, dot));
  if (!header || header.typ !== DEVICE_CREDENTIAL_TYPE) return undefined;
  return typeof header.kid === 'string' ? { kid: header.kid } : { kid: '' };
}

export class DeviceCredentialVerifier implements DeviceAuthenticator {
  /**
   * Credentials whose signature verified, with the key version it verified under: a live session
   * re-checks its credential every few seconds, and only the device's state can have changed.
   */
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly cache: DeviceCache,
    private readonly clock: Clock,
    private readonly audience = DEVICE_CREDENTIAL_AUDIENCE,
  ) {}

  /** For iam.addAuthenticator: undefined when the credential is not a device credential. */
  readonly authenticator = async (credential: string): Promise<Subject | undefined> => {
    const header = deviceCredentialHeader(credential);
    if (!header) return undefined;
    return this.verify(credential, header.kid);
  };

  async authenticateDevice(deviceId: string, credential: string): Promise<Subject> {
    if (typeof credential !== 'string' || credential.length > 4096) throw invalid('device credential is malformed');
    const header = deviceCredentialHeader(credential);
    if (!header) throw invalid('not a device credential');
    if (header.kid !== deviceId) throw invalid('device credential belongs to another device');
    return this.verify(credential, deviceId);
  }

  /** For a live MQTT session: also refuses a quarantined device (its readings would be refused anyway). */
  async authenticateDeviceSession(deviceId: string, credential: string): Promise<Subject> {
    const subject = await this.authenticateDevice(deviceId, credential);
    const device = await this.cache.get(deviceId);
    if (device?.attestation === 'quarantined')
      throw new MsecError('DEVICE_QUARANTINED', 'the device is quarantined', { status: 403 });
    return subject;
  }

  private async verify(credential: string, deviceId: string): Promise<Subject> {
    const parts = credential.split('.');
    if (parts.length !== 3 || !DEVICE_ID.test(deviceId)) throw invalid('device credential is malformed');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h);
    const claims = decodeJson(p);
    if (!header || !claims || header.alg !== 'ES256') throw invalid('device credential must be an ES256 JWS');
    const device = await this.cache.get(deviceId);
    if (!device) throw invalid('unknown device');
    if (device.status === 'revoked')
      throw new MsecError('DEVICE_KEY_REVOKED', 'the device is revoked', { status: 401 });
    if (this.verified.get(credential) !== device.keyVersion) {
      const key = await this.cache.key(device);
      const signature = Buffer.from(s, 'base64url');
      let ok = false;
      try {
        ok =
          signature.length === 64 &&
          verify('sha256', Buffer.from(`${h}.${p}`), { key: key!, dsaEncoding: 'ieee-p1363' }, signature);
      } catch {
        ok = false;
      }
      if (!ok) throw invalid('device credential signature does not verify');
      if (this.verified.size >= 20_000) this.verified.clear();
      this.verified.set(credential, device.keyVersion);
    }
    const now = Math.floor(this.clock.now() / 1000);
    const { iss, sub, aud, iat, exp } = claims;
    if (iss !== deviceId || sub !== deviceId) throw invalid('device credential names another device');
    if (aud !== this.audience) throw invalid('device credential is for another audience');
    if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp))
      throw invalid('device credential lacks iat/exp');
    if (exp <= now - SKEW_S) throw new MsecError('TOKEN_EXPIRED', 'device credential expired', { status: 401 });
    if (iat > now + SKEW_S || exp - iat > MAX_CREDENTIAL_LIFETIME_S)
      throw invalid('device credential lifetime is not acceptable');
    return {
      id: device.principalId,
      name: device.id,
      kind: 'device',
      org: device.org,
      roles: ['device'],
      via: 'device',
    };
  }
}
