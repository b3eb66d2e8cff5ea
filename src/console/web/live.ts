import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from './api.ts';
import type { AlertView } from './secops/types.ts';

/** What the monitor's stream pushes (GET /api/v1/monitor/stream, server-sent events). */
export type LiveMessage =
  { kind: 'alerts'; alerts: AlertView[]; truncated: boolean } | { kind: 'events'; counts: Record<string, number> };
export type LiveState = 'connecting' | 'live' | 'down';

const listeners = new Set<(m: LiveMessage) => void>();
const stateListeners = new Set<(s: LiveState) => void>();
let source: EventSource | undefined;
let state: LiveState = 'down';
let retry: ReturnType<typeof setTimeout> | undefined;
/** Reconnect delay after a refused or ended stream: doubles up to 30 s, reset by a successful connect. */
let backoffMs = 2000;

function setState(s: LiveState): void {
  state = s;
  stateListeners.forEach((fn) => fn(s));
}

/**
 * One EventSource for the whole console, opened while any view listens. The cookie goes with it
 * (same origin); when the server ends the stream (logout, revoked rights) or refuses it, asking for
 * the session tells which: a lost session returns the app to login, anything else reconnects.
 */
function connect(): void {
  if (source || listeners.size === 0) return;
  setState('connecting');
  const es = new EventSource('/api/v1/monitor/stream');
  source = es;
  const parse = (e: Event) => JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>;
  es.addEventListener('hello', () => {
    backoffMs = 2000;
    setState('live');
  });
  es.addEventListener('alerts', (e) =>
    emit({ kind: 'alerts', ...(parse(e) as Omit<LiveMessage & { kind: 'alerts' }, 'kind'>) }),
  );
  es.addEventListener('events', (e) => emit({ kind: 'events', counts: parse(e).counts as Record<string, number> }));
  const lost = () => {
    es.close();
    if (source === es) source = undefined;
    setState('down');
    // 401 here calls the app's session-lost handler (back to login); otherwise try again.
    void api('GET', '/console/session').then(
      () => {
        retry = setTimeout(connect, backoffMs);
        backoffMs = Math.min(30_000, backoffMs * 2);
      },
      () => undefined,
    );
  };
  es.addEventListener('end', lost);
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) lost();
    else setState('connecting'); // the browser reconnects by itself
  });
}

function emit(m: LiveMessage): void {
  listeners.forEach((fn) => fn(m));
}

export function subscribeLive(fn: (m: LiveMessage) => void): () => void {
  listeners.add(fn);
  connect();
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0) {
      if (retry) clearTimeout(retry);
      source?.close();
      source = undefined;
      setState('down');
    }
  };
}

/** Closes the stream at logout. */
export function closeLive(): void {
  listeners.clear();
  source?.close();
  source = undefined;
  setState('down');
}

export function useLiveState(): LiveState {
  const [s, set] = useState(state);
  useEffect(() => {
    stateListeners.add(set);
    return () => void stateListeners.delete(set);
  }, []);
  return s;
}

export interface LiveData<T> {
  data: T | undefined;
  error: string;
  reload: () => void;
}

/**
 * Loads now, again when `deps` change, and again when the stream says something changed (at most
 * once per `throttleMs`): no polling. `relevant` picks the messages that matter to this view.
 */
export function useLiveData<T>(
  load: () => Promise<T>,
  deps: unknown[],
  relevant: (m: LiveMessage) => boolean = () => true,
  throttleMs = 1000,
): LiveData<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void load().then(
      (d) => live && (setData(d), setError('')),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  useEffect(() => {
    const off = subscribeLive((m) => {
      if (!relevant(m) || pending.current) return;
      const wait = Math.max(0, last.current + throttleMs - Date.now());
      pending.current = setTimeout(() => {
        pending.current = undefined;
        last.current = Date.now();
        setTick((t) => t + 1);
      }, wait);
    });
    return () => {
      off();
      if (pending.current) clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, []);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
