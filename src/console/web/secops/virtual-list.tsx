import type { ComponentChildren } from 'preact';
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  /** Rows loaded (rendered on demand). */
  count: number;
  /** All rows there are: the scroll extent is this tall from the start; rows not loaded yet show as placeholders. */
  total: number;
  rowHeight: number;
  label: string;
  /** Renders loaded row `index`; the element must take `style` (its position). Keys are the list's own. */
  row: (index: number, style: Record<string, string>) => ComponentChildren;
  /**
   * The last row index in view, told when the view has settled a moment (debounced): the owner loads
   * pages up to it off the scroll path. Also told at once when the view reaches unloaded rows and nothing
   * is pending.
   */
  onNeed: (lastIndex: number) => void;
  active: number;
  onActive: (index: number) => void;
  /** Enter and Space on the active row. */
  onKey?: (index: number, key: 'Enter' | ' ') => void;
  /** Set to scroll to the top (e.g. after new rows were shown). */
  topSignal?: number;
  onAtTop?: (atTop: boolean) => void;
}

const OVERSCAN = 6;
const NEED_DEBOUNCE_MS = 80;
/** After a fling, full rows return once the view has been still this long. */
const SETTLE_MS = 90;

/**
 * Windowed rendering with a constant number of row elements: the window is a pool of slots, slot
 * `i mod pool` shows row `i`, so scrolling re-labels and moves the same elements (no mount, no
 * unmount) whatever the count. Row height is fixed, so nothing is measured while scrolling; the scroll
 * position is read once per animation frame. The extent is the total, not what is loaded: a fling
 * never waits for a page, it shows placeholders that fill in when their page arrives.
 * Keyboard: arrows, Page Up/Down, Home/End move the active row (aria-activedescendant), Enter and
 * Space act on it.
 */
export function VirtualList(p: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);
  const lastTop = useRef(0);
  // A fling (more than a screen a frame) shows placeholders: no row it passes could be read anyway,
  // and full rows (a dozen cells, buttons) for every slot each frame is what made it stutter.
  const [flinging, setFlinging] = useState(false);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const needTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const extent = Math.max(p.count, p.total);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const resize = new ResizeObserver(() => setHeight(el.clientHeight));
    resize.observe(el);
    return () => {
      resize.disconnect();
      cancelAnimationFrame(frame.current);
      clearTimeout(needTimer.current);
      clearTimeout(settle.current);
    };
  }, []);
  useEffect(() => {
    if (p.topSignal && box.current) box.current.scrollTop = 0;
  }, [p.topSignal]);

  const pool = Math.ceil(height / p.rowHeight) + 2 * OVERSCAN + 1;
  const first = Math.max(0, Math.min(Math.floor(top / p.rowHeight) - OVERSCAN, extent - pool));
  const last = Math.min(extent, first + pool);

  // Pages are asked for after the view settles (a fling passes over rows it will never show), and
  // ahead of the loaded end so that slow scrolling rarely meets a placeholder.
  useEffect(() => {
    clearTimeout(needTimer.current);
    needTimer.current = setTimeout(() => p.onNeed(last + pool * 4), NEED_DEBOUNCE_MS);
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
  for (let i = first; i < last; i++) {
    const style = { transform: `translateY(${i * p.rowHeight}px)` };
    rows.push(
      <Fragment key={i % pool}>
        {i < p.count && !flinging ? (
          p.row(i, style)
        ) : (
          <div style={style} class="vrow vrow-pending" role="row" aria-rowindex={i + 2} aria-busy="true">
            <span role="gridcell" class="muted">
              {i < p.count ? '' : 'Loading…'}
            </span>
          </div>
        )}
      </Fragment>,
    );
  }
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
        const el = e.currentTarget;
        // One state update per frame, whatever the number of scroll events.
        if (frame.current) return;
        frame.current = requestAnimationFrame(() => {
          frame.current = 0;
          const t = el.scrollTop;
          if (Math.abs(t - lastTop.current) > height) {
            setFlinging(true);
            clearTimeout(settle.current);
            settle.current = setTimeout(() => setFlinging(false), SETTLE_MS);
          }
          lastTop.current = t;
          setTop(t);
          p.onAtTop?.(t < p.rowHeight);
        });
      }}
      onKeyDown={onKeyDown}
    >
      <div class="vlist-space" style={{ height: `${extent * p.rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
