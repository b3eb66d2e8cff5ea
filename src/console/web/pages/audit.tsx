import { api } from '../api.ts';
import { usePolled } from '../poll.ts';

interface AuditEntry {
  id: number;
  at: number;
  actorName: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  status: number | null;
}

/** The audit log, newest first (admins). */
export function AuditPage() {
  const { data, error } = usePolled(() => api<{ items: AuditEntry[] }>('GET', '/audit?limit=100'), 10_000);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Resource</th>
            <th>Outcome</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((e) => (
            <tr>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.actorName ?? '—'}</td>
              <td>{e.action}</td>
              <td>{e.resource ?? '—'}</td>
              <td>{e.outcome}</td>
              <td>{e.status ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
