import type { Subject } from '../core/index.ts';

/**
 * Contracts between the parts of the hub: the device side (registry, enrollment, attestation,
 * verification) and the data side (twins, broker, history, subscriptions, federation).
 */

/** A reading that passed verification (signature, freshness, replay, quarantine, ACL). */
export interface AcceptedReading {
  deviceId: string;
  org: string;
  provider: string;
  service: string;
  resource: string;
  value: number | boolean | string;
  unit?: string | undefined;
  /** Device time of measurement, ms since epoch. */
  timestamp: number;
  counter: number;
  receivedAt: number;
  transport: 'http' | 'mqtt' | 'federation';
  /** How much the hub could check. */
  signature: 'verified';
  attestation: 'attested' | 'unattested';
  /** The original COSE_Sign1 bytes, so partners can verify the device's signature themselves. */
  cose: Uint8Array;
}

export interface RejectedReading {
  code: string;
  message: string;
  deviceId?: string | undefined;
  transport: 'http' | 'mqtt' | 'federation';
  ip?: string | undefined;
  at: number;
}

/**
 * MQTT topics:
 * - devices publish COSE_Sign1 (or sealed COSE_Encrypt) readings to `devices/{deviceId}/readings`;
 * - the hub republishes accepted readings as JSON to `data/{org}/{provider}/{service}/{resource}`;
 * - actions for a device go to `devices/{deviceId}/actions/{service}/{resource}`.
 */
export const TOPICS = {
  deviceReadings: (deviceId: string) => `devices/${deviceId}/readings`,
  data: (org: string, provider: string, service: string, resource: string) =>
    `data/${org}/${provider}/${service}/${resource}`,
  deviceActions: (deviceId: string, service: string, resource: string) =>
    `devices/${deviceId}/actions/${service}/${resource}`,
} as const;

export interface IngestContext {
  transport: 'http' | 'mqtt' | 'federation';
  /** The authenticated sender (a device for MQTT/HTTP), when known. */
  subject?: Subject | undefined;
  ip?: string | undefined;
}

/**
 * The one verification path every reading goes through (HTTP, MQTT). Throws MsecError with a
 * stable code on refusal, after counting it in metrics, auditing it and publishing
 * `hub.reading.rejected`; on success publishes `hub.reading.accepted` and returns the reading.
 */
export interface ReadingIngestor {
  ingest(bytes: Uint8Array, ctx: IngestContext): Promise<AcceptedReading>;
}

/**
 * Authenticates a device by its enrolled key (the MQTT CONNECT password or an HTTP bearer
 * credential is a short-lived ES256 JWS signed inside the device's key store).
 */
export interface DeviceAuthenticator {
  authenticateDevice(deviceId: string, credential: string): Promise<Subject>;
  /** As authenticateDevice, for a connection that stays open: a quarantined device is refused too. */
  authenticateDeviceSession(deviceId: string, credential: string): Promise<Subject>;
}

/**
 * Durable store of accepted readings (the hub's history). The ingest path awaits it before it
 * acknowledges a reading, so an acknowledged reading is never lost; only then is
 * `hub.reading.accepted` published for the other listeners (ledger, monitor).
 */
export interface ReadingSink {
  accept(reading: AcceptedReading): Promise<void>;
}

/**
 * What the data side asks of the device side: the device key that signed a stored reading, to
 * ship with it to federation partners.
 */
export interface DeviceKeyLookup {
  signingKeyFor(deviceId: string, cose: Uint8Array, receivedAt: number): Promise<Record<string, unknown> | undefined>;
}
