import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { useLiveData } from '../live.ts';

interface Suppression {
  id: string;
  org_id: string;
  rule_id: string | null;
  signature_id: number | null;
  src_ip: string | null;
  until: number | null;
  reason: string;
  created_by: string;
  hits: number;
}

/** The suppress form tells the list to reload through this. */
export const suppressionsChanged = new EventTarget();

/** Suppressions in force (and expired), with their hits; each can be lifted. */
export function Suppressions() {
  const [message, setMessage] = useState('');
  const [tick, setTick] = useState(0);
  const { data, error } = useLiveData(
    () => api<{ items: Suppression[] }>('GET', '/monitor/suppressions'),
    [tick],
    (m) => m.kind === 'events',
    5000,
  );
  useEffect(() => {
    const bump = () => setTick((t) => t + 1);
    suppressionsChanged.addEventListener('change', bump);
    return () => suppressionsChanged.removeEventListener('change', bump);
  }, []);
  const lift = async (s: Suppression) => {
    try {
      await api('DELETE', `/monitor/suppressions/${encodeURIComponent(s.id)}`);
      setMessage(`Lifted the suppression of ${what(s)}`);
      setTick((t) => t + 1);
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const now = Date.now();
  return (
    <section class="card suppressions" aria-labelledby="supp-title">
      <h2 id="supp-title">Suppressions</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <p role="status" class="muted">
        {message}
      </p>
      {data && data.items.length === 0 && <p class="muted">Nothing is suppressed.</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>What</th>
              <th>City</th>
              <th>Until</th>
              <th>Reason</th>
              <th>By</th>
              <th class="num">Hits</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.items.map((s) => (
              <tr data-testid="suppression">
                <td>{what(s)}</td>
                <td>{s.org_id}</td>
                <td>
                  {s.until === null ? 'until lifted' : s.until < now ? 'expired' : new Date(s.until).toLocaleString()}
                </td>
                <td>{s.reason}</td>
                <td>{s.created_by}</td>
                <td class="num">{s.hits}</td>
                <td>
                  <button type="button" onClick={() => void lift(s)}>
                    Lift
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function what(s: Suppression): string {
  return [
    s.rule_id && `rule ${s.rule_id}`,
    s.signature_id !== null && `signature ${s.signature_id}`,
    s.src_ip && `source ${s.src_ip}`,
  ]
    .filter(Boolean)
    .join(' from ');
}
