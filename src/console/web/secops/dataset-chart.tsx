import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useThemeName } from './use-theme.ts';

/** Colours that read on both themes, one per event type. */
const COLOURS = ['#6cb6ff', '#e5534b', '#c69026', '#57ab5a', '#b083f0', '#39c5cf', '#dc8add', '#8ddb8c'];

export interface DatasetSeries {
  times: number[];
  series: Array<{ label: string; counts: number[] }>;
}

/** Stacked bars of events per time bucket, one colour per event type (uPlot, bundled). */
export function DatasetChart({ data }: { data: DatasetSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const labels = data.series.map((s) => s.label).join(',');
  const theme = useThemeName();

  useEffect(() => {
    if (!box.current) return;
    // Stacked: each series is drawn as the running sum of those before it, hovered values stay raw.
    const stacked: number[][] = [];
    data.series.forEach((s, i) => stacked.push(s.counts.map((c, j) => c + (i > 0 ? stacked[i - 1]![j]! : 0))));
    const aligned: uPlot.AlignedData = [data.times.map((t) => t / 1000), ...stacked.slice().reverse()];
    plot.current?.destroy();
    const axis = { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,0.2)' } };
    const bars = uPlot.paths.bars!({ size: [0.9, 40] });
    plot.current = new uPlot(
      {
        width: Math.max(300, box.current.clientWidth),
        height: 240,
        series: [
          {},
          ...data.series
            .map((s, i) => ({
              label: s.label,
              stroke: COLOURS[i % COLOURS.length],
              fill: COLOURS[i % COLOURS.length],
              paths: bars,
              points: { show: false },
              value: (_u: uPlot, _v: number, _si: number, idx: number | null) =>
                idx === null ? '—' : String(s.counts[idx] ?? 0),
            }))
            .reverse(),
        ],
        axes: [axis, axis],
        scales: { x: { time: true } },
        legend: { live: true },
      },
      aligned,
      box.current,
    );
  }, [data, labels, theme]);
  useEffect(() => () => plot.current?.destroy(), []);

  const total = data.series.reduce((n, s) => n + s.counts.reduce((a, b) => a + b, 0), 0);
  return (
    <div
      ref={box}
      role="img"
      aria-label={`Stacked bar chart of ${total} events by type: ${data.series.map((s) => `${s.label} ${s.counts.reduce((a, b) => a + b, 0)}`).join(', ')}`}
      data-testid="dataset-chart"
      data-total={total}
    />
  );
}
