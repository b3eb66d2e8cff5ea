import type { FastifyRequest } from 'fastify';
import { MsecError } from '../../core/index.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { twinRef, TWIN_ACTIONS, type AccessLevel } from './access.ts';
import type { GrantStore } from './grant-store.ts';
import type { ProviderState } from './model.ts';
import { assertSegment, type TwinPath } from './names.ts';
import type { TwinStore } from './twin-store.ts';

/** What the data side's HTTP routes share. */
export interface HubDataServices {
  twins: TwinStore;
  history: HistoryStore;
  grants: GrantStore;
  /** Sends an action to a device over MQTT (TOPICS.deviceActions); false when no broker runs. */
  sendAction(deviceId: string, service: string, resource: string, payload: unknown): Promise<boolean>;
}

export interface PathParams {
  provider: string;
  service: string;
  resource: string;
}

export function pathOf(params: PathParams): TwinPath {
  return {
    provider: assertSegment(params.provider, 'provider'),
    service: assertSegment(params.service, 'service'),
    resource: assertSegment(params.resource, 'resource'),
  };
}

/** Loads the provider (404 when absent) and authorizes `level` on the resource (403, audited). */
export async function authorizeTwin(
  req: FastifyRequest,
  twins: TwinStore,
  path: TwinPath,
  level: AccessLevel,
): Promise<ProviderState> {
  const provider = await twins.getProvider(path.provider);
  const missing = () => new MsecError('NOT_FOUND', `provider ${path.provider} not found`);
  if (!provider) throw missing();
  // A caller who may read the twin knows it exists: only the others get "not found".
  const knows = req.may(TWIN_ACTIONS.READ, twinRef(provider.org, path, TWIN_ACTIONS.READ));
  req.authorize(TWIN_ACTIONS[level], twinRef(provider.org, path, TWIN_ACTIONS[level]), knows ? undefined : missing());
  return provider;
}
