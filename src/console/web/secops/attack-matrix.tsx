import { api } from '../api.ts';
import { useLiveData } from '../live.ts';

interface Cell {
  id: string;
  name: string;
  alerts: number;
  events: number;
}
interface Matrix {
  columns: Array<{ id: string; name: string; matrix: 'enterprise' | 'ics'; techniques: Cell[] }>;
  unknown: Cell[];
  maxEvents: number;
}

/** Six shades, from none to most; classes rather than inline styles (the CSP allows no style attribute). */
const heat = (events: number, max: number) => `heat-${max <= 0 ? 0 : Math.max(1, Math.ceil((events / max) * 5))}`;

function TechniqueCell({ c, max }: { c: Cell; max: number }) {
  return (
    <a
      class={`technique ${heat(c.events, max)}`}
      href={`#/inbox/technique=${encodeURIComponent(c.id)}`}
      data-testid="matrix-cell"
      data-technique={c.id}
      title={`${c.id} ${c.name}: ${c.alerts} alerts, ${c.events} events`}
    >
      <span class="tid">{c.id}</span> <span class="tname">{c.name}</span>
      <span class="num" aria-label={`${c.events} events`}>
        {c.events}
      </span>
    </a>
  );
}

/**
 * MITRE ATT&CK techniques of the alerts as the matrix: tactics as columns (kill-chain order), the
 * techniques seen as cells shaded by their events; a cell opens the inbox on that technique.
 */
export function AttackMatrix({ params }: { params: string }) {
  const { data, error } = useLiveData(
    () => api<Matrix>('GET', `/monitor/alerts/matrix${params}`),
    [params],
    (m) => m.kind === 'alerts',
  );
  const seen = data ? data.columns.filter((c) => c.techniques.length > 0) : [];
  return (
    <section class="card matrix-card" aria-labelledby="matrix-title">
      <h2 id="matrix-title">MITRE ATT&amp;CK techniques</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data && seen.length === 0 && data.unknown.length === 0 && (
        <p class="muted" data-testid="matrix-empty">
          No alert has named a technique yet.
        </p>
      )}
      {data && (
        <div class="matrix-scroll" tabIndex={0} aria-label="ATT&CK matrix, scrolls sideways">
          <table class="matrix" data-testid="attack-matrix">
            <thead>
              <tr>
                {data.columns.map((c) => (
                  <th scope="col" class={c.techniques.length > 0 ? 'hit' : ''} title={`${c.id} (${c.matrix})`}>
                    {c.name}
                    {c.matrix === 'ics' && <span class="muted"> (ICS)</span>}
                    <span class="count">{c.techniques.length}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {data.columns.map((c) => (
                  <td>
                    {c.techniques.map((t) => (
                      <TechniqueCell c={t} max={data.maxEvents} />
                    ))}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {data && data.unknown.length > 0 && (
        <p class="muted">
          Not in the ATT&amp;CK catalogue: {data.unknown.map((u) => `${u.id} (${u.events})`).join(', ')}
        </p>
      )}
    </section>
  );
}
