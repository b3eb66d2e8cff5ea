import '../secops/secops.css';
import { api } from '../api.ts';
import { useLiveData } from '../live.ts';
import { AttackMatrix } from '../secops/attack-matrix.tsx';
import { LiveBadge } from '../secops/live-badge.tsx';
import { LEVELS, type TopItem } from '../secops/types.ts';
import { SeverityChart } from '../severity-chart.tsx';

const TOPS = [
  ['rule', 'Top rules and signatures', 'rule'],
  ['source', 'Top sources', 'src'],
  ['destination', 'Top destinations', 'dst'],
  ['gateway', 'Gateways', 'gateway'],
] as const;

const onAlerts = (m: { kind: string }) => m.kind === 'alerts';

function Top({ by, title, filter }: { by: string; title: string; filter: string }) {
  const { data, error } = useLiveData(
    () => api<{ items: TopItem[] }>('GET', `/monitor/alerts/top?by=${by}&n=6`),
    [],
    onAlerts,
  );
  const max = Math.max(1, ...(data?.items ?? []).map((i) => i.events));
  return (
    <section class="card" aria-label={title} data-testid={`top-${by}`}>
      <h2>{title}</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data && data.items.length === 0 && <p class="muted">None yet.</p>}
      <ol class="bars">
        {data?.items.map((i) => (
          <li>
            <a class="label" title={i.label ?? i.key} href={`#/inbox/${filter}=${encodeURIComponent(i.key)}`}>
              {i.label ?? i.key}
            </a>
            <meter min={0} max={max} value={i.events} aria-label={`${i.events} events`} />
            <span class="num">{i.events}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function LevelCounts() {
  const { data } = useLiveData(
    () => api<{ items: TopItem[] }>('GET', '/monitor/alerts/top?by=level&n=10&status=open,acknowledged,escalated'),
    [],
    onAlerts,
  );
  const by = new Map((data?.items ?? []).map((i) => [i.key, i]));
  return (
    <section class="card" aria-label="Alerts not closed, by level">
      <h2>Not closed, by level</h2>
      <dl class="levels">
        {LEVELS.map((l) => (
          <div class={`lvl lvl-${l}`}>
            <dt>{l}</dt>
            <dd data-testid={`level-${l}`} title={`${by.get(l)?.events ?? 0} events`}>
              {by.get(l)?.alerts ?? 0}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Alerts overview: severity over time, levels, tops and the ATT&CK matrix; kept live by the stream. */
export function AlertsPage() {
  return (
    <>
      <div class="page-head">
        <h1>Security operations</h1>
        <LiveBadge />
        <a href="#/inbox">Open the alert inbox</a>
      </div>
      <SeverityChart />
      <div class="grid">
        <LevelCounts />
        {TOPS.map(([by, title, filter]) => (
          <Top by={by} title={title} filter={filter} />
        ))}
      </div>
      <AttackMatrix params="" />
    </>
  );
}
