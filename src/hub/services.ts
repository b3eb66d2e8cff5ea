/** The services the hub provides to other modules, by typed key. */
import { serviceKey } from '../core/index.ts';
import type { HubBroker } from './broker/broker.ts';
import type { DevicesHub } from './devices/service.ts';
import type { HistoryStore } from './history/history-store.ts';
import type { LiveFeed } from './subscriptions/live-feed.ts';
import type { GrantStore } from './twins/grant-store.ts';
import type { TwinStore } from './twins/twin-store.ts';

export const HUB_DEVICES = serviceKey<DevicesHub>('hub.devices');
export const HUB_TWINS = serviceKey<TwinStore>('hub.twins');
export const HUB_HISTORY = serviceKey<HistoryStore>('hub.history');
export const HUB_GRANTS = serviceKey<GrantStore>('hub.grants');
export const HUB_LIVE_FEED = serviceKey<LiveFeed>('hub.live-feed');
/** Undefined where the hub runs without its MQTT broker. */
export const HUB_BROKER = serviceKey<HubBroker | undefined>('hub.broker');
