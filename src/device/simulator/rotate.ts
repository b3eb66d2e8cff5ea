/** Device side of key rotation: the current and the new key both sign the rotation statement. */
import type { DeviceKeyStore } from '../keystore/keystore.ts';
import { rotationMessage } from '../protocol.ts';
import { createDeviceCredential } from './credential.ts';
import { HubClient } from './hub-client.ts';

/** Creates `newLabel`, registers it with the hub and returns the new key version. */
export async function rotateDeviceKey(opts: {
  hub: string;
  deviceId: string;
  keyStore: DeviceKeyStore;
  currentLabel: string;
  newLabel: string;
  currentVersion: number;
}): Promise<number> {
  const next = await opts.keyStore.ensureSigningKey(opts.newLabel);
  const message = rotationMessage(opts.deviceId, opts.currentVersion, next.jwk);
  const token = await createDeviceCredential(opts.keyStore, opts.currentLabel, opts.deviceId);
  const res = await new HubClient(opts.hub).json<{ keyVersion: number }>(
    'POST',
    `/devices/${encodeURIComponent(opts.deviceId)}/keys/rotate`,
    {
      token,
      body: {
        newKey: next.jwk,
        newKeyProof: Buffer.from(await opts.keyStore.sign(opts.newLabel, message)).toString('base64url'),
        currentKeyProof: Buffer.from(await opts.keyStore.sign(opts.currentLabel, message)).toString('base64url'),
      },
    },
  );
  return res.body.keyVersion;
}
