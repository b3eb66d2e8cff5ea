// The event bus port and its in-process adapter; NATS JetStream is its own entry (`./nats.ts`).
export type { EventBus, BusEvent, BusHandler, SubscribeOptions, Unsubscribe } from './bus.ts';
export { subjectMatches } from './bus.ts';
export { MemoryBus } from './memory.ts';
