/** The device side of the hub: registry, enrollment, verification path, attestation, keys. */

export { DevicesHub, type DevicesOptions } from './service.ts';
export {
  DeviceRegistry,
  type DeviceRecord,
  type AttestationStatus,
  type DeviceStatus,
  type KeyStoreKind,
} from './registry.ts';
export { DeviceReadingIngestor, DEFAULT_FRESHNESS_WINDOW_MS } from './ingest.ts';
export { DeviceCredentialVerifier, DEVICE_CREDENTIAL_AUDIENCE, DEVICE_CREDENTIAL_TYPE } from './device-auth.ts';
export { EnrollmentService, DEFAULT_ATTESTED_PCRS } from './enrollment.ts';
export { AttestationService } from './attestation.ts';
export { DeviceKeys } from './keys.ts';
export { CounterGuard } from './counter-guard.ts';
export { deviceMigrations, type DeviceTables } from './schema.ts';
export { DeviceMetadataSchema, SOX_DEVICE_TYPES, type DeviceMetadata } from './metadata.ts';
