/**
 * The device's bearer credential for the hub (HTTP Authorization, MQTT CONNECT password): a
 * short-lived compact JWS, ES256, signed inside the device's key store with its reading key.
 */
import { randomBytes } from 'node:crypto';
import type { DeviceKeyStore } from '../keystore/keystore.ts';
import { DEVICE_CREDENTIAL_AUDIENCE, DEVICE_CREDENTIAL_TYPE } from '../protocol.ts';

export { DEVICE_CREDENTIAL_TYPE };
export const DEFAULT_HUB_AUDIENCE = DEVICE_CREDENTIAL_AUDIENCE;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export async function createDeviceCredential(
  keyStore: DeviceKeyStore,
  label: string,
  deviceId: string,
  audience: string = DEFAULT_HUB_AUDIENCE,
  opts: { lifetimeSeconds?: number; now?: number } = {},
): Promise<string> {
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const header = b64({ alg: 'ES256', typ: DEVICE_CREDENTIAL_TYPE, kid: deviceId });
  const claims = b64({
    iss: deviceId,
    sub: deviceId,
    aud: audience,
    iat,
    exp: iat + (opts.lifetimeSeconds ?? 300),
    jti: randomBytes(8).toString('base64url'),
  });
  const signature = await keyStore.sign(label, Buffer.from(`${header}.${claims}`));
  return `${header}.${claims}.${Buffer.from(signature).toString('base64url')}`;
}

/** Keeps a credential and renews it before it expires. */
export class CredentialSource {
  private current: { value: string; renewAt: number } | undefined;

  constructor(
    private readonly keyStore: DeviceKeyStore,
    private readonly label: string,
    private readonly deviceId: string,
    private readonly audience: string = DEFAULT_HUB_AUDIENCE,
  ) {}

  async get(): Promise<string> {
    if (this.current && Date.now() < this.current.renewAt) return this.current.value;
    const value = await createDeviceCredential(this.keyStore, this.label, this.deviceId, this.audience, {
      lifetimeSeconds: 300,
    });
    this.current = { value, renewAt: Date.now() + 240_000 };
    return value;
  }
}
