import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api.ts';
import { usePolled } from '../poll.ts';
import { resourcePath, type Bucket, type ResourceDescription } from './types.ts';

const MINUTE = 60_000;
export const RANGES = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * MINUTE },
  { id: '1h', label: 'Last hour', ms: 60 * MINUTE },
  { id: '6h', label: 'Last 6 hours', ms: 360 * MINUTE },
  { id: '24h', label: 'Last 24 hours', ms: 1440 * MINUTE },
  { id: '7d', label: 'Last 7 days', ms: 7 * 1440 * MINUTE },
] as const;
/** The hub downsamples server-side to about this many buckets, whatever the range. */
const TARGET_BUCKETS = 120;

interface Series {
  bucketMs: number;
  buckets: Bucket[];
}

async function load(r: ResourceDescription, rangeMs: number): Promise<Series> {
  const bucketMs = Math.max(1000, Math.ceil(rangeMs / TARGET_BUCKETS / 1000) * 1000);
  const to = Math.ceil(Date.now() / bucketMs) * bucketMs;
  const from = to - rangeMs;
  const { buckets } = await api<{ buckets: Bucket[] }>(
    'GET',
    `${resourcePath(r)}/history?from=${from}&to=${to}&bucket=${bucketMs}`,
  );
  return { bucketMs, buckets };
}

function toAligned(s: Series): uPlot.AlignedData {
  const b = s.buckets.filter((x) => x.avg !== null);
  return [b.map((x) => x.start / 1000), b.map((x) => x.avg), b.map((x) => x.min), b.map((x) => x.max)];
}

/** A resource's history over a chosen range, downsampled by the hub (avg with min and max per bucket). */
export function HistoryChart({ resource }: { resource: ResourceDescription }) {
  const [range, setRange] = useState<(typeof RANGES)[number]['id']>('15m');
  const rangeMs = RANGES.find((x) => x.id === range)!.ms;
  const key = `${resourcePath(resource)}|${range}`;
  const { data, error } = usePolled(() => load(resource, rangeMs), 5000, [key]);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const unit = typeof resource.metadata.unit === 'string' ? resource.metadata.unit : '';

  useEffect(() => {
    plot.current?.destroy();
    plot.current = undefined;
  }, [key]);
  useEffect(() => {
    if (!box.current || !data) return;
    const aligned = toAligned(data);
    if (!plot.current) {
      const axis = { stroke: getComputedStyle(document.body).color, grid: { stroke: 'rgba(128,128,128,0.2)' } };
      plot.current = new uPlot(
        {
          width: Math.max(280, box.current.clientWidth),
          height: 240,
          series: [
            {},
            { label: `average${unit ? ` (${unit})` : ''}`, stroke: '#6cb6ff', width: 2 },
            { label: 'min', stroke: '#57ab5a', width: 1, dash: [4, 4] },
            { label: 'max', stroke: '#e5534b', width: 1, dash: [4, 4] },
          ],
          axes: [axis, { ...axis, label: unit || undefined }],
          scales: { x: { time: true } },
        },
        aligned,
        box.current,
      );
    } else plot.current.setData(aligned);
  }, [data]);
  useEffect(() => () => plot.current?.destroy(), []);

  const points = data ? data.buckets.filter((b) => b.avg !== null).length : 0;
  const readings = data ? data.buckets.reduce((n, b) => n + b.count, 0) : 0;
  const id = `range-${resource.service}-${resource.resource}`;
  return (
    <section class="card chart" aria-label={`History of ${resource.service}/${resource.resource}`}>
      <div class="row">
        <h3>
          History of {resource.provider}/{resource.service}/{resource.resource}
        </h3>
        <label for={id}>Range</label>
        <select id={id} value={range} onChange={(e) => setRange(e.currentTarget.value as typeof range)}>
          {RANGES.map((r) => (
            <option value={r.id}>{r.label}</option>
          ))}
        </select>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <p class="muted" data-testid="history-summary">
        {data
          ? `${readings} readings in ${points} buckets of ${data.bucketMs / 1000} s (downsampled by the hub)`
          : 'Loading…'}
      </p>
      {data && points === 0 && <p class="muted">No numeric readings in this range.</p>}
      <div
        ref={box}
        role="img"
        aria-label={`Line chart: ${readings} readings of ${resource.resource} in ${points} buckets`}
        data-testid="history-chart"
        data-points={points}
        data-readings={readings}
      />
    </section>
  );
}
