/**
 * The statements a device signs for the hub, defined once: the device side builds them to sign,
 * the hub rebuilds them to verify, so the two can never drift apart.
 */

/** Proof of possession of the signing key at enrollment, bound to the hub's session and nonce. */
export function enrollmentProofMessage(sessionId: string, nonce: string, deviceId: string): Buffer {
  return Buffer.from(`msec-enroll-v1\n${sessionId}\n${nonce}\n${deviceId}`, 'utf8');
}

/** Key rotation: both the current and the new key sign this. */
export function rotationMessage(deviceId: string, fromVersion: number, newKey: { x: string; y: string }): Buffer {
  return Buffer.from(`msec-rotate-v1\n${deviceId}\n${fromVersion}\n${newKey.x}\n${newKey.y}`, 'utf8');
}
