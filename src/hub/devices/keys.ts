/**
 * Key rotation (by the device, proving possession of both keys) and revocation (by an operator).
 * A revoked key stays on record so readings it signed are refused as DEVICE_KEY_REVOKED.
 */
import { createPublicKey, verify } from 'node:crypto';
import { MsecError, type Clock } from '../../core/index.ts';
import { rotationMessage } from '../../device/index.ts';
import type { Iam } from '../../iam/index.ts';
import type { CounterGuard } from './counter-guard.ts';
import type { DeviceCache } from './device-cache.ts';
import type { EcJwk } from './metadata.ts';
import type { DeviceRecord, DeviceRegistry } from './registry.ts';

function verifies(jwk: EcJwk, message: Buffer, signature: string): boolean {
  try {
    const sig = Buffer.from(signature, 'base64url');
    return (
      sig.length === 64 &&
      verify('sha256', message, { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, sig)
    );
  } catch {
    return false;
  }
}

export interface KeyDeps {
  registry: DeviceRegistry;
  cache: DeviceCache;
  guard: CounterGuard;
  iam: Iam;
  clock: Clock;
}

export class DeviceKeys {
  constructor(private readonly deps: KeyDeps) {}

  async rotate(
    device: DeviceRecord,
    input: { newKey: EcJwk; newKeyProof: string; currentKeyProof: string },
  ): Promise<number> {
    if (device.status !== 'active') throw new MsecError('DEVICE_KEY_REVOKED', 'the device is revoked', { status: 401 });
    if (device.keystore === 'tpm') {
      // A new TPM key must be bound to the EK again (credential activation): re-enroll instead.
      throw new MsecError('ROTATION_REQUIRES_ENROLLMENT', 'TPM devices rotate by enrolling the new key', {
        status: 409,
      });
    }
    const message = rotationMessage(device.id, device.keyVersion, input.newKey);
    if (input.newKey.x === device.signingJwk.x && input.newKey.y === device.signingJwk.y) {
      throw new MsecError('ROTATION_INVALID', 'the new key must differ from the current key');
    }
    if (
      !verifies(device.signingJwk, message, input.currentKeyProof) ||
      !verifies(input.newKey, message, input.newKeyProof)
    ) {
      throw new MsecError('ROTATION_PROOF_INVALID', 'rotation must be signed by both the current and the new key', {
        status: 401,
      });
    }
    const version = await this.deps.registry.rotateKey(
      device.id,
      device.keyVersion,
      { kty: 'EC', crv: 'P-256', x: input.newKey.x, y: input.newKey.y },
      this.deps.clock.now(),
    );
    this.deps.cache.invalidate(device.id);
    this.deps.cache.keys.invalidate(`${device.id}#${device.keyVersion}`);
    return version;
  }

  async revoke(device: DeviceRecord, reason: string): Promise<void> {
    if (device.status === 'revoked')
      throw new MsecError('DEVICE_ALREADY_REVOKED', 'the device is already revoked', { status: 409 });
    await this.deps.registry.revoke(device.id, reason, this.deps.clock.now());
    this.deps.cache.invalidate(device.id);
    this.deps.cache.keys.invalidate(`${device.id}#${device.keyVersion}`);
    this.deps.guard.forget(device.id);
    // Its principal goes too: tokens and sessions of the device end at once.
    await this.deps.iam.disable(device.principalId);
  }
}
