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

/*
 * The rules a device must follow, defined once here and quoted by docs/wire-format.md and
 * docs/device-protocol.md (test/docs-protocol.test.ts checks the documents against these values).
 */

/** Device ids are MQTT topic segments and digital-twin provider names: keep them plain. */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const DEVICE_ID = new RegExp(DEVICE_ID_PATTERN);

/** Accepted distance, either way, between a reading's timestamp and the hub's clock. */
export const READING_FRESHNESS_WINDOW_MS = 300_000;

/** The provider segment of a reading's resource path: a device publishes only under its own id. */
export function readingProvider(resource: string): string {
  return resource.split('/')[0] ?? '';
}

export function isOwnProvider(deviceId: string, resource: string): boolean {
  return readingProvider(resource) === deviceId;
}

/** The device credential (compact JWS): its header `typ` and the audience the hub expects. */
export const DEVICE_CREDENTIAL_TYPE = 'msec-device+jwt';
export const DEVICE_CREDENTIAL_AUDIENCE = 'msec-hub';
/** Longest credential lifetime (exp - iat) the hub accepts, and the clock skew it tolerates. */
export const MAX_CREDENTIAL_LIFETIME_S = 3600;
export const CREDENTIAL_CLOCK_SKEW_S = 60;
