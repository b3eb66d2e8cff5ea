import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { subscribeLive } from '../live.ts';
import { matchesFilter, query, type AlertView } from './types.ts';

const FIRST_PAGE = 200;
const PAGE = 500;

export interface Inbox {
  items: AlertView[];
  total: number | undefined;
  loading: boolean;
  error: string;
  /** Alerts pushed while the list was scrolled away from the top, waiting to be shown. */
  waiting: number;
  showWaiting: () => void;
  loadMore: () => void;
  reload: () => void;
  /** Puts an alert the server returned (after triage) in place. */
  replace: (a: AlertView) => void;
}

/**
 * The inbox's rows: cursor pages from the monitor as the list scrolls, patched in place by the
 * stream (a triaged or grown alert changes its row; a new one goes on top, or waits while scrolled).
 */
export function useInbox(params: Record<string, string | number>, atTop: () => boolean): Inbox {
  const key = JSON.stringify(params);
  const [items, setItems] = useState<AlertView[]>([]);
  const [total, setTotal] = useState<number>();
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const [waiting, setWaiting] = useState<AlertView[]>([]);
  const cursor = useRef<string | null | undefined>(undefined);
  const busy = useRef(false);
  const generation = useRef(0);

  const loadPage = async (first: boolean) => {
    if (busy.current && !first) return;
    if (!first && !cursor.current) return;
    const gen = first ? ++generation.current : generation.current;
    busy.current = true;
    setLoading(true);
    try {
      const page = await api<{ items: AlertView[]; nextCursor: string | null }>(
        'GET',
        `/monitor/alerts${query({ ...params, limit: first ? FIRST_PAGE : PAGE, cursor: first ? undefined : cursor.current! })}`,
      );
      if (gen !== generation.current) return; // the filter changed meanwhile
      cursor.current = page.nextCursor;
      if (first) {
        setItems(page.items);
        setWaiting([]);
        const { count } = await api<{ count: number }>('GET', `/monitor/alerts/count${query(params)}`);
        if (gen === generation.current) setTotal(count);
      } else {
        setItems((old) => {
          const have = new Set(old.map((a) => a.id));
          return [...old, ...page.items.filter((a) => !have.has(a.id))];
        });
      }
      setError('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      if (gen === generation.current) {
        busy.current = false;
        setLoading(false);
      }
    }
  };

  useEffect(() => {
    cursor.current = undefined;
    busy.current = false;
    void loadPage(true);
  }, [key]);

  useEffect(
    () =>
      subscribeLive((m) => {
        if (m.kind !== 'alerts') return;
        if (m.truncated) return void loadPage(true);
        setItems((old) => {
          const index = new Map(old.map((a, i) => [a.id, i]));
          let next: AlertView[] | undefined;
          const fresh: AlertView[] = [];
          for (const a of m.alerts) {
            const i = index.get(a.id);
            if (i !== undefined) (next ??= [...old])[i] = a;
            else if (matchesFilter(a, params)) fresh.push(a);
          }
          if (fresh.length > 0) {
            fresh.sort((a, b) => b.lastSeen - a.lastSeen);
            setTotal((t) => (t ?? 0) + fresh.length);
            if (atTop()) return [...fresh, ...(next ?? old)];
            setWaiting((w) => [...fresh, ...w.filter((x) => !fresh.some((f) => f.id === x.id))]);
          }
          return next ?? old;
        });
      }),
    [key],
  );

  return {
    items,
    total,
    loading,
    error,
    waiting: waiting.length,
    showWaiting: () => {
      setItems((old) => [...waiting, ...old.filter((a) => !waiting.some((w) => w.id === a.id))]);
      setWaiting([]);
    },
    loadMore: () => void loadPage(false),
    reload: () => void loadPage(true),
    replace: (a) => setItems((old) => old.map((x) => (x.id === a.id ? a : x))),
  };
}
