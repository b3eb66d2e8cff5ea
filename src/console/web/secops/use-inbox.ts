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
  /** Load pages (in the background, one after another) until row `index` is loaded or none is left. */
  need: (index: number) => void;
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
  const generation = useRef(0);
  /** The row index the view wants loaded; the loader runs until it is, one page at a time. */
  const wanted = useRef(0);
  const loader = useRef<{ gen: number; abort: AbortController } | undefined>(undefined);
  const loadedCount = useRef(0);
  const ids = useRef(new Set<string>());

  /** The first page and the count; aborts whatever the previous filter still had in flight. */
  const loadFirst = async () => {
    const gen = ++generation.current;
    loader.current?.abort.abort();
    loader.current = undefined;
    cursor.current = undefined;
    const abort = new AbortController();
    setLoading(true);
    try {
      const [page, { count }] = await Promise.all([
        api<{ items: AlertView[]; nextCursor: string | null }>(
          'GET',
          `/monitor/alerts${query({ ...params, limit: FIRST_PAGE })}`,
          undefined,
          abort.signal,
        ),
        api<{ count: number }>('GET', `/monitor/alerts/count${query(params)}`, undefined, abort.signal),
      ]);
      if (gen !== generation.current) return; // the filter changed meanwhile
      cursor.current = page.nextCursor;
      ids.current = new Set(page.items.map((a) => a.id));
      loadedCount.current = page.items.length;
      setItems(page.items);
      setWaiting([]);
      setTotal(count);
      setError('');
      void pump(gen);
    } catch (err) {
      if (gen === generation.current) setError(errorText(err));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };

  /**
   * Later pages, off the scroll path: one request at a time, each a macrotask after the last so
   * that frames are painted between pages; stops when the wanted row is loaded, and when the
   * filter changes (its request aborted, its answer dropped).
   */
  const pump = async (gen: number) => {
    if (loader.current || gen !== generation.current) return;
    const abort = new AbortController();
    loader.current = { gen, abort };
    try {
      while (gen === generation.current && cursor.current && loadedCount.current <= wanted.current) {
        const page = await api<{ items: AlertView[]; nextCursor: string | null }>(
          'GET',
          `/monitor/alerts${query({ ...params, limit: PAGE, cursor: cursor.current })}`,
          undefined,
          abort.signal,
        );
        if (gen !== generation.current) return;
        cursor.current = page.nextCursor;
        const fresh = page.items.filter((a) => !ids.current.has(a.id));
        for (const a of fresh) ids.current.add(a.id);
        loadedCount.current += fresh.length;
        if (fresh.length > 0) setItems((old) => old.concat(fresh));
        await new Promise((ok) => setTimeout(ok, 0));
      }
      if (gen === generation.current) setError('');
    } catch (err) {
      if (gen === generation.current && !abort.signal.aborted) setError(errorText(err));
    } finally {
      if (loader.current?.abort === abort) loader.current = undefined;
    }
  };
  const loadPage = (first: boolean) => (first ? loadFirst() : pump(generation.current));

  useEffect(() => {
    wanted.current = 0;
    void loadPage(true);
    return () => loader.current?.abort.abort();
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
            if (atTop()) {
              for (const a of fresh) ids.current.add(a.id);
              loadedCount.current += fresh.length;
              return [...fresh, ...(next ?? old)];
            }
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
      for (const a of waiting) {
        if (ids.current.has(a.id)) continue;
        ids.current.add(a.id);
        loadedCount.current++;
      }
      setItems((old) => [...waiting, ...old.filter((a) => !waiting.some((w) => w.id === a.id))]);
      setWaiting([]);
    },
    need: (index) => {
      wanted.current = Math.max(wanted.current, index);
      if (loadedCount.current <= index) void pump(generation.current);
    },
    reload: () => void loadPage(true),
    replace: (a) => setItems((old) => old.map((x) => (x.id === a.id ? a : x))),
  };
}
