/** The city data hub: one platform module, its services, contracts and MQTT topics. */
export { hubModule, type HubOptions } from './module.ts';
export { HUB_DEVICES, HUB_TWINS, HUB_HISTORY, HUB_GRANTS, HUB_LIVE_FEED, HUB_BROKER } from './services.ts';
export {
  TOPICS,
  type AcceptedReading,
  type RejectedReading,
  type IngestContext,
  type ReadingIngestor,
  type DeviceAuthenticator,
  type ReadingSink,
  type DeviceKeyLookup,
} from './contracts.ts';
export type { DevicesHub, DevicesOptions } from './devices/service.ts';
export type { HistoryStore } from './history/history-store.ts';
export type { HubBroker } from './broker/broker.ts';
export { DEMO_DEVICES } from './devices/demo.ts';
export { DEMO_MTLS_DEVICES, type DemoMtlsResult } from './devices/demo-mtls.ts';
export { HUB_ERROR_CODES, type HubErrorCode } from './errors.ts';
export type { TwinStore } from './twins/twin-store.ts';
export type { GrantStore, NewGrant } from './twins/grant-store.ts';
export type { Grant, GrantTerms } from './twins/access.ts';
export { AGGREGATE_WINDOW_SECONDS, type AggregateSpec } from './federation/agreements.ts';
