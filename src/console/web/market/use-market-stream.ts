import { useEffect, useRef, useState } from 'preact/hooks';
import type { Depth, TapeTrade } from './types.ts';

export type StreamState = 'connecting' | 'live' | 'down';

/**
 * The market's server-sent events (GET /api/v1/market/stream: `book` after each change of a
 * class's depth, `trade` for every settled trade), open while the page is. The browser reconnects
 * by itself; the page also polls, so a refused stream only makes it slower.
 */
export function useMarketStream(onBook: (d: Depth) => void, onTrade: (t: TapeTrade) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlers = useRef({ onBook, onTrade });
  handlers.current = { onBook, onTrade };
  useEffect(() => {
    const es = new EventSource('/api/v1/market/stream');
    const parse = <T>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
    es.onopen = () => setState('live');
    es.addEventListener('book', (e) => handlers.current.onBook(parse<Depth>(e)));
    es.addEventListener('trade', (e) => handlers.current.onTrade(parse<TapeTrade>(e)));
    es.onerror = () => setState(es.readyState === EventSource.CLOSED ? 'down' : 'connecting');
    return () => es.close();
  }, []);
  return state;
}
