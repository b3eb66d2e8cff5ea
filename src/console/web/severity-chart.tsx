import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from './api.ts';
import { useLiveData } from './live.ts';
import { useThemeName } from './secops/use-theme.ts';

const HOUR = 3_600_000;
const BUCKET = 5 * 60_000;
/** EVE severities: 1 is the highest. Colours read on both themes. */
const SERIES = [
  { severity: 1, label: 'high (1)', stroke: '#e5534b' },
  { severity: 2, label: 'medium (2)', stroke: '#c69026' },
  { severity: 3, label: 'low (3)', stroke: '#57ab5a' },
];

interface Histogram {
  interval: number;
  buckets: Array<{ t: number; count: number }>;
}

async function loadSeries(): Promise<uPlot.AlignedData> {
  const to = Math.ceil(Date.now() / BUCKET) * BUCKET;
  const from = to - 6 * HOUR;
  const hists = await Promise.all(
    SERIES.map((s) =>
      api<Histogram>(
        'GET',
        `/monitor/events/histogram?dataset=alert&severity=${s.severity}&from=${from}&to=${to}&interval=${BUCKET}`,
      ),
    ),
  );
  const times: number[] = [];
  for (let t = from; t < to; t += BUCKET) times.push(t);
  const counts = hists.map((h) => {
    const byT = new Map(h.buckets.map((b) => [b.t, b.count]));
    return times.map((t) => byT.get(t) ?? 0);
  });
  return [times.map((t) => t / 1000), ...counts];
}

/** IDS alert events per 5 minutes over the last 6 hours, one line per severity (uPlot, bundled); live. */
export function SeverityChart() {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // Redrawn when the stream reports stored events (no polling).
  const { data, error } = useLiveData(loadSeries, [], (m) => m.kind === 'events', 2000);

  const theme = useThemeName();
  useEffect(() => {
    plot.current?.destroy(); // axis colours follow the theme: rebuilt when it changes
    plot.current = undefined;
  }, [theme]);
  useEffect(() => {
    if (!box.current || !data) return;
    if (!plot.current) {
      const axis = { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,0.2)' } };
      plot.current = new uPlot(
        {
          width: Math.max(300, box.current.clientWidth),
          height: 220,
          series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: false } }))],
          axes: [axis, axis],
          scales: { x: { time: true } },
        },
        data,
        box.current,
      );
    } else plot.current.setData(data);
  }, [data, theme]);
  useEffect(() => () => plot.current?.destroy(), []);

  const total = data ? data.slice(1).reduce((n, s) => n + (s as number[]).reduce((a, b) => a + b, 0), 0) : 0;
  return (
    <section class="card chart" aria-label="Alert events by severity over time">
      <h2>Alert events by severity, last 6 hours</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div
        ref={box}
        role="img"
        aria-label={`Line chart: ${total} alert events in the last 6 hours`}
        data-testid="severity-chart"
        data-total={total}
      />
    </section>
  );
}
