import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  /** Rows loaded (rendered on demand). */
  count: number;
  /** All rows there are (for assistive technology); may exceed `count` while pages load. */
  total: number;
  rowHeight: number;
  label: string;
  /** Renders row `index`; the element must take `style` (its position) and `key`. */
  row: (index: number, style: Record<string, string>) => ComponentChildren;
  /** Called when the visible window nears the end of what is loaded. */
  onNearEnd: () => void;
  active: number;
  onActive: (index: number) => void;
  /** Enter and Space on the active row. */
  onKey?: (index: number, key: 'Enter' | ' ') => void;
  /** Set to scroll to the top (e.g. after new rows were shown). */
  topSignal?: number;
  onAtTop?: (atTop: boolean) => void;
}

const OVERSCAN = 6;

/**
 * Windowed rendering: only the rows in view (plus a few) exist in the DOM, whatever the count, so a
 * list of 100,000 alerts scrolls like one of 30. Keyboard: arrows, Page Up/Down, Home/End move the
 * active row (aria-activedescendant), Enter and Space act on it.
 */
export function VirtualList(p: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const resize = new ResizeObserver(() => setHeight(el.clientHeight));
    resize.observe(el);
    return () => resize.disconnect();
  }, []);
  useEffect(() => {
    if (p.topSignal && box.current) box.current.scrollTop = 0;
  }, [p.topSignal]);

  const first = Math.max(0, Math.floor(top / p.rowHeight) - OVERSCAN);
  const last = Math.min(p.count, Math.ceil((top + height) / p.rowHeight) + OVERSCAN);
  useEffect(() => {
    if (last >= p.count - 4 * OVERSCAN * 10) p.onNearEnd();
  }, [last, p.count]);

  const move = (to: number) => {
    const i = Math.max(0, Math.min(p.count - 1, to));
    p.onActive(i);
    const el = box.current;
    if (!el) return;
    const y = i * p.rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + p.rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + p.rowHeight - el.clientHeight;
  };
  const page = Math.max(1, Math.floor(height / p.rowHeight) - 1);
  const onKeyDown = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(p.active + 1),
      ArrowUp: () => move(p.active - 1),
      PageDown: () => move(p.active + page),
      PageUp: () => move(p.active - page),
      Home: () => move(0),
      End: () => move(p.count - 1),
      Enter: () => p.onKey?.(p.active, 'Enter'),
      ' ': () => p.onKey?.(p.active, ' '),
    };
    const k = keys[e.key];
    if (k && e.target === box.current) {
      e.preventDefault();
      k();
    }
  };

  const rows: ComponentChildren[] = [];
  // Each row sits at its own offset and keeps its element while in view: scrolling moves nothing
  // already painted, only rows entering are drawn (the compositor scrolls the rest).
  for (let i = first; i < last; i++) rows.push(p.row(i, { transform: `translateY(${i * p.rowHeight}px)` }));
  return (
    <div
      ref={box}
      class="vlist"
      role="grid"
      aria-label={p.label}
      aria-rowcount={p.total}
      aria-activedescendant={p.count > 0 ? `vrow-${p.active}` : undefined}
      tabIndex={0}
      data-testid="inbox-list"
      onScroll={(e) => {
        const t = e.currentTarget.scrollTop;
        setTop(t);
        p.onAtTop?.(t < p.rowHeight);
      }}
      onKeyDown={onKeyDown}
    >
      <div class="vlist-space" style={{ height: `${p.count * p.rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
