export type { EventBus, BusEvent, BusHandler, SubscribeOptions, Unsubscribe } from './bus.ts';
export { subjectMatches } from './bus.ts';
export { MemoryBus } from './memory.ts';
export { NatsBus, type NatsBusOptions } from './nats.ts';
