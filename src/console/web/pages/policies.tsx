import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePolled } from '../poll.ts';
import { DryRunForm } from '../policies/dry-run.tsx';
import { PolicyForm } from '../policies/policy-form.tsx';
import type { Policy, PolicyChange } from '../policies/types.ts';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const rolesOf = (p: Policy) => (p.roles === undefined || p.roles === '*' ? 'everyone' : p.roles.join(', '));

/** Admin: central policies (list, add, remove), their history and the dry run with its explanation. */
export function PoliciesPage() {
  const list = usePolled(() => api<{ items: Policy[] }>('GET', '/policies'), 15_000);
  const [historyOf, setHistoryOf] = useState<string | undefined>();
  const history = usePolled(
    () =>
      api<{ items: PolicyChange[] }>(
        'GET',
        `/policies/history?${new URLSearchParams({ limit: '100', ...(historyOf ? { policy: historyOf } : {}) })}`,
      ),
    15_000,
    [historyOf, list.data],
  );
  const [error, setError] = useState('');

  const remove = async (p: Policy) => {
    setError('');
    try {
      // The version refuses the removal if someone changed the policy since it was listed.
      await api('DELETE', `/policies/${encodeURIComponent(p.id)}?version=${p.version}`);
      list.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Policies</h1>
      <div class="card">
        <h2>Central policies</h2>
        {list.error && (
          <p role="alert" class="error">
            {list.error}
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {list.data && list.data.items.length === 0 && <p>No central policy: the modules' statements apply alone.</p>}
        {list.data && list.data.items.length > 0 && (
          <table aria-label="Central policies">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Effect</th>
                <th scope="col">Roles</th>
                <th scope="col">Actions</th>
                <th scope="col">Scope</th>
                <th scope="col">Version</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span class="sr-only">Operations</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((p) => (
                <tr key={p.id} data-testid={`policy-${p.id}`}>
                  <td>
                    <code>{p.id}</code>
                    {p.description && <div class="muted">{p.description}</div>}
                  </td>
                  <td class={p.effect === 'allow' ? 'ok' : 'error'}>{p.effect}</td>
                  <td>{rolesOf(p)}</td>
                  <td>{p.actions.join(', ')}</td>
                  <td>{p.scope ?? 'any'}</td>
                  <td>{p.version}</td>
                  <td>
                    {when(p.updatedAt)} by {p.updatedBy ?? '—'}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="link"
                      onClick={() => setHistoryOf(p.id)}
                      aria-label={`History of ${p.id}`}
                    >
                      History
                    </button>{' '}
                    <button type="button" onClick={() => void remove(p)} aria-label={`Remove ${p.id}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="grid2">
        <PolicyForm onAdded={list.reload} />
        <section class="card" aria-labelledby="policy-history-title">
          <h2 id="policy-history-title">History{historyOf ? ` of ${historyOf}` : ''}</h2>
          {historyOf && (
            <button type="button" class="link" onClick={() => setHistoryOf(undefined)}>
              Show every policy
            </button>
          )}
          {history.error && (
            <p role="alert" class="error">
              {history.error}
            </p>
          )}
          {history.data && history.data.items.length === 0 && <p>No change yet.</p>}
          {history.data && history.data.items.length > 0 && (
            <table aria-label="Policy history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Policy</th>
                  <th scope="col">Change</th>
                  <th scope="col">Version</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {history.data.items.map((h) => (
                  <tr key={h.seq}>
                    <td>{when(h.at)}</td>
                    <td>
                      <code>{h.policyId}</code>
                    </td>
                    <td>{h.change}</td>
                    <td>{h.version}</td>
                    <td>{h.actorName ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <div class="stack">
        <DryRunForm />
      </div>
    </section>
  );
}
