import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useThemeName } from '../secops/use-theme.ts';
import { cumulativeDepth, MINOR_UNITS, type Depth } from './types.ts';

const BID = '#57ab5a';
const ASK = '#e5534b';

/**
 * Order-book depth of one class: cumulative bid quantity (green, left) and ask quantity (red,
 * right) against the price in MSEC, as steps. The levels table beside it carries the same numbers.
 */
export function DepthChart({ depth }: { depth: Depth }) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeName();
  const c = cumulativeDepth(depth);
  useEffect(() => {
    const el = box.current;
    if (!el || c.prices.length === 0) return;
    const axis = { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,0.2)' } };
    const steps = uPlot.paths.stepped!({ align: 1 });
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 220,
        series: [
          { label: 'price (MSEC)' },
          { label: 'bids (cumulative)', stroke: BID, fill: `${BID}44`, width: 2, paths: steps, spanGaps: false },
          { label: 'asks (cumulative)', stroke: ASK, fill: `${ASK}44`, width: 2, paths: steps, spanGaps: false },
        ],
        axes: [
          { ...axis, label: 'price per period (MSEC)' },
          { ...axis, label: 'quantity' },
        ],
        scales: { x: { time: false } },
        legend: { live: false },
      },
      [c.prices.map((p) => p / MINOR_UNITS), c.bids, c.asks],
      el,
    );
    return () => plot.destroy();
  }, [JSON.stringify(depth), theme]);
  return (
    <div data-testid="depth-chart" data-bids={depth.bids.length} data-asks={depth.asks.length}>
      {c.prices.length === 0 && <p class="muted">The book is empty: no open bid or ask in this class.</p>}
      <div
        class="chart depth-chart"
        ref={box}
        role="img"
        aria-label={`Depth of ${depth.class}: ${depth.bids.length} bid levels, ${depth.asks.length} ask levels`}
      />
    </div>
  );
}
