import '../secops/secops.css';
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { useLiveData } from '../live.ts';
import { DatasetChart, type DatasetSeries } from '../secops/dataset-chart.tsx';
import { LiveBadge } from '../secops/live-badge.tsx';
import { query } from '../secops/types.ts';

const RANGES: Array<[string, string, number, number]> = [
  ['1h', 'Last hour', 3_600_000, 60_000],
  ['6h', 'Last 6 hours', 6 * 3_600_000, 5 * 60_000],
  ['24h', 'Last 24 hours', 86_400_000, 30 * 60_000],
  ['7d', 'Last 7 days', 7 * 86_400_000, 6 * 3_600_000],
];
/** ECS fields the monitor searches by column; any other name searches the whole record. */
const FIELDS = [
  'source.ip',
  'destination.ip',
  'source.port',
  'destination.port',
  'rule.name',
  'rule.id',
  'observer.name',
  'network.transport',
  'network.protocol',
  'threat.technique.id',
  'event.dataset',
  'organization.id',
];

interface TopCount {
  key: string | number;
  count: number;
}
interface EventView {
  seq: number;
  id: string;
  org: string;
  doc: Record<string, unknown> & {
    '@timestamp'?: string;
    event?: { dataset?: string };
    source?: { ip?: string; port?: number };
    destination?: { ip?: string; port?: number };
    network?: { transport?: string; protocol?: string };
    observer?: { name?: string };
    rule?: { name?: string };
  };
}

async function loadHistogram(range: string): Promise<DatasetSeries> {
  const [, , span, interval] = RANGES.find((r) => r[0] === range)!;
  const to = Math.ceil(Date.now() / interval) * interval;
  const from = to - span;
  const window = { from, to };
  const top = await api<{ items: TopCount[] }>(
    'GET',
    `/monitor/events/top${query({ ...window, by: 'dataset', n: 7 })}`,
  );
  const times: number[] = [];
  for (let t = from; t < to; t += interval) times.push(t);
  const series = await Promise.all(
    top.items.map(async (d) => {
      const h = await api<{ buckets: Array<{ t: number; count: number }> }>(
        'GET',
        `/monitor/events/histogram${query({ ...window, interval, dataset: String(d.key) })}`,
      );
      const byT = new Map(h.buckets.map((b) => [b.t, b.count]));
      return { label: String(d.key), counts: times.map((t) => byT.get(t) ?? 0) };
    }),
  );
  return { times, series };
}

function Breakdown({ by, title, range }: { by: string; title: string; range: string }) {
  const span = RANGES.find((r) => r[0] === range)![2];
  const { data, error } = useLiveData(
    () => api<{ items: TopCount[] }>('GET', `/monitor/events/top${query({ by, n: 8, from: Date.now() - span })}`),
    [range],
    (m) => m.kind === 'events',
    3000,
  );
  const total = (data?.items ?? []).reduce((n, i) => n + i.count, 0);
  return (
    <section class="card" aria-label={title} data-testid={`breakdown-${by}`}>
      <h2>{title}</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data && data.items.length === 0 && <p class="muted">No events in this range.</p>}
      <ol class="bars">
        {data?.items.map((i) => (
          <li>
            <span class="label">{String(i.key)}</span>
            <meter min={0} max={Math.max(1, total)} value={i.count} aria-label={`${i.count} events`} />
            <span class="num">{i.count}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

const endpoint = (d: { ip?: string; port?: number } | undefined) =>
  d?.ip ? `${d.ip}${d.port !== undefined ? `:${d.port}` : ''}` : '—';

function EventSearch() {
  const [field, setField] = useState('source.ip');
  const [q, setQ] = useState('');
  const [items, setItems] = useState<EventView[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const run = async (more: boolean) => {
    try {
      const page = await api<{ items: EventView[]; nextCursor: string | null }>(
        'GET',
        `/monitor/events${query({ field, q, limit: 50, cursor: more ? (cursor ?? undefined) : undefined })}`,
      );
      setItems(more ? [...(items ?? []), ...page.items] : page.items);
      setCursor(page.nextCursor);
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="card" aria-labelledby="search-title">
      <h2 id="search-title">Search events by field</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <label for="search-field">Field</label>
        <input
          id="search-field"
          list="ecs-fields"
          required
          maxLength={200}
          pattern="[A-Za-z0-9_@.\-]+"
          value={field}
          onInput={(e) => setField(e.currentTarget.value)}
        />
        <datalist id="ecs-fields">
          {FIELDS.map((f) => (
            <option value={f} />
          ))}
        </datalist>
        <label for="search-q">contains</label>
        <input id="search-q" required maxLength={500} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {items && (
        <p role="status" class="muted" data-testid="search-count">
          {items.length} event{items.length === 1 ? '' : 's'}
          {cursor ? ' shown, more match' : ''}
        </p>
      )}
      {items && items.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>City</th>
                <th>Type</th>
                <th>Source</th>
                <th>Destination</th>
                <th>Protocol</th>
                <th>Gateway</th>
                <th>Rule</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr data-testid="event-row">
                  <td>{e.doc['@timestamp'] ?? '—'}</td>
                  <td>{e.org}</td>
                  <td>{e.doc.event?.dataset ?? '—'}</td>
                  <td class="mono">{endpoint(e.doc.source)}</td>
                  <td class="mono">{endpoint(e.doc.destination)}</td>
                  <td>{e.doc.network?.protocol ?? e.doc.network?.transport ?? '—'}</td>
                  <td>{e.doc.observer?.name ?? '—'}</td>
                  <td>{e.doc.rule?.name ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void run(true)}>
          Load more
        </button>
      )}
    </section>
  );
}

/** Events overview: events by type over time, protocol and transport breakdowns, search by field; live. */
export function EventsPage() {
  const [range, setRange] = useState('6h');
  const hist = useLiveData(
    () => loadHistogram(range),
    [range],
    (m) => m.kind === 'events',
    3000,
  );
  return (
    <>
      <div class="page-head">
        <h1>Events</h1>
        <LiveBadge />
        <label>
          Range{' '}
          <select value={range} onChange={(e) => setRange(e.currentTarget.value)}>
            {RANGES.map(([v, t]) => (
              <option value={v}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      <section class="card chart" aria-labelledby="hist-title">
        <h2 id="hist-title">Events by type over time</h2>
        {hist.error && (
          <p role="alert" class="error">
            {hist.error}
          </p>
        )}
        {hist.data && hist.data.series.length === 0 && (
          <p class="muted" data-testid="hist-empty">
            No events in this range.
          </p>
        )}
        {hist.data && hist.data.series.length > 0 && <DatasetChart data={hist.data} />}
      </section>
      <div class="grid">
        <Breakdown by="protocol" title="Application protocols" range={range} />
        <Breakdown by="dataset" title="Event types" range={range} />
        <Breakdown by="port" title="Destination ports" range={range} />
        <Breakdown by="gateway" title="Gateways" range={range} />
      </div>
      <EventSearch />
    </>
  );
}
