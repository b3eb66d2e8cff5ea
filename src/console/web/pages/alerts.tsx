import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePolled } from '../poll.ts';
import { SeverityChart } from '../severity-chart.tsx';
import { AlertDetail } from './alert-detail.tsx';

export interface Alert {
  id: string;
  org: string;
  rule: { id: string; title: string; kind: string };
  level: string;
  severity: number | null;
  mitre: { technique: string | null; tacticName: string | null };
  source: string | null;
  destination: string | null;
  gateway: string | null;
  count: number;
  lastSeen: number;
  status: string;
  assignee: string | null;
}
interface TopItem {
  key: string;
  alerts: number;
  events: number;
}

const STATUSES = ['open', 'acknowledged', 'escalated', 'closed'] as const;
const TOPS = [
  ['rule', 'Top rules and signatures'],
  ['source', 'Top sources'],
  ['gateway', 'Gateways'],
  ['technique', 'MITRE techniques'],
] as const;

function Top({ by, title, version }: { by: string; title: string; version: string }) {
  // Reloaded whenever the inbox changes, and on its own every 5 s.
  const { data, error } = usePolled(() => api<{ items: TopItem[] }>('GET', `/monitor/alerts/top?by=${by}&n=5`), 5000, [
    version,
  ]);
  const max = Math.max(1, ...(data?.items ?? []).map((i) => i.events));
  return (
    <section class="card" aria-label={title}>
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
            <span class="label" title={i.key}>
              {i.key}
            </span>
            <meter min={0} max={max} value={i.events} aria-label={`${i.events} events`} />
            <span class="num">{i.events}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Alerts overview (tops) and the inbox with triage; refreshed every few seconds. */
export function AlertsPage() {
  const [status, setStatus] = useState('open,acknowledged,escalated');
  const [message, setMessage] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const inbox = usePolled(
    () => api<{ items: Alert[] }>('GET', `/monitor/alerts?limit=100&status=${encodeURIComponent(status)}`),
    3000,
    [status],
  );

  const triage = async (a: Alert, update: Record<string, unknown>, what: string) => {
    try {
      await api('PATCH', `/monitor/alerts/${encodeURIComponent(a.id)}`, update);
      setMessage(`${what}: ${a.rule.title}`);
      inbox.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const version = (inbox.data?.items ?? []).map((a) => `${a.id}:${a.count}:${a.status}`).join(',');
  const bySeverity = new Map<string, number>();
  for (const a of inbox.data?.items ?? []) bySeverity.set(a.level, (bySeverity.get(a.level) ?? 0) + a.count);

  return (
    <>
      <h1>Security operations</h1>
      <SeverityChart version={version} />
      <div class="grid">
        <section class="card" aria-label="Events by level">
          <h2>Events by level</h2>
          <dl class="levels">
            {['high', 'medium', 'low', 'informational'].map((l) => (
              <div class={`lvl lvl-${l}`}>
                <dt>{l}</dt>
                <dd data-testid={`level-${l}`}>{bySeverity.get(l) ?? 0}</dd>
              </div>
            ))}
          </dl>
        </section>
        {TOPS.map(([by, title]) => (
          <Top by={by} title={title} version={version} />
        ))}
      </div>
      <section aria-labelledby="inbox-title">
        <h2 id="inbox-title">Alert inbox</h2>
        <label for="status-filter">Status</label>{' '}
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="open,acknowledged,escalated">Not closed</option>
          {STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <p role="status" class="muted">
          {message}
        </p>
        {inbox.error && (
          <p role="alert" class="error">
            {inbox.error}
          </p>
        )}
        {inbox.data && inbox.data.items.length === 0 && (
          <p class="muted" data-testid="inbox-empty">
            No alerts match.
          </p>
        )}
        {inbox.data && inbox.data.items.length > 0 && (
          <table class="inbox">
            <thead>
              <tr>
                <th>Level</th>
                <th>Rule</th>
                <th>Source → destination</th>
                <th>Gateway</th>
                <th>Technique</th>
                <th>Events</th>
                <th>Last seen</th>
                <th>Status</th>
                <th>Triage</th>
              </tr>
            </thead>
            <tbody>
              {inbox.data.items.map((a) => (
                <tr data-testid="alert-row">
                  <td>
                    <span class={`pill lvl-${a.level}`}>{a.level}</span>
                  </td>
                  <td>{a.rule.title}</td>
                  <td>
                    {a.source ?? '—'} → {a.destination ?? '—'}
                  </td>
                  <td>{a.gateway ?? '—'}</td>
                  <td>{a.mitre.technique ?? '—'}</td>
                  <td class="num">{a.count}</td>
                  <td>{new Date(a.lastSeen).toLocaleString()}</td>
                  <td data-testid="alert-status">{a.status}</td>
                  <td>
                    <div class="triage">
                      <button type="button" aria-pressed={selected === a.id} onClick={() => setSelected(a.id)}>
                        Details
                      </button>
                      {a.status === 'open' && (
                        <button
                          type="button"
                          onClick={() => void triage(a, { status: 'acknowledged' }, 'Acknowledged')}
                        >
                          Acknowledge
                        </button>
                      )}
                      {a.status !== 'escalated' && a.status !== 'closed' && (
                        <button type="button" onClick={() => void triage(a, { status: 'escalated' }, 'Escalated')}>
                          Escalate
                        </button>
                      )}
                      {a.status !== 'closed' && (
                        <button
                          type="button"
                          onClick={() => void triage(a, { status: 'closed', closeReason: 'false_positive' }, 'Closed')}
                        >
                          Close (false positive)
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {selected && <AlertDetail id={selected} onChanged={inbox.reload} />}
    </>
  );
}
