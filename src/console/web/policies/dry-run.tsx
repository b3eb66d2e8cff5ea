import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import type { DryRun } from './types.ts';

/** "What would USER get for ACTION on RESOURCE?" against the stored policies, with the statements that decided. */
export function DryRunForm() {
  const [f, setF] = useState({ as: '', action: '', type: '', id: '', org: '' });
  const [result, setResult] = useState<DryRun>();
  const [error, setError] = useState('');
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setResult(undefined);
    try {
      setResult(
        await api<DryRun>('POST', '/policies/test', {
          as: f.as.trim(),
          action: f.action.trim(),
          resource: {
            type: f.type.trim(),
            ...(f.id.trim() ? { id: f.id.trim() } : {}),
            ...(f.org.trim() ? { org: f.org.trim() } : {}),
          },
        }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section class="card" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Dry run</h2>
      <form class="filters" aria-label="Dry run" onSubmit={(e) => void submit(e)}>
        <div>
          <label for="d-as">As user</label>
          <input id="d-as" required maxLength={128} placeholder="sant-analyst" value={f.as} onInput={set('as')} />
        </div>
        <div>
          <label for="d-action">Action</label>
          <input
            id="d-action"
            required
            maxLength={128}
            placeholder="monitor:alert:read"
            value={f.action}
            onInput={set('action')}
          />
        </div>
        <div>
          <label for="d-type">Resource type</label>
          <input id="d-type" required maxLength={64} placeholder="alert" value={f.type} onInput={set('type')} />
        </div>
        <div>
          <label for="d-id">Resource id</label>
          <input id="d-id" maxLength={256} value={f.id} onInput={set('id')} />
        </div>
        <div>
          <label for="d-org">Resource organisation</label>
          <input id="d-org" maxLength={63} placeholder="the user's" value={f.org} onInput={set('org')} />
        </div>
        <button type="submit">Explain</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result && (
        <div data-testid="dry-run-result" aria-live="polite">
          <p>
            <strong class={result.allow ? 'ok' : 'error'} data-testid="dry-run-decision">
              {result.allow ? 'Allowed' : 'Denied'}
            </strong>{' '}
            for {result.principal.name} ({result.principal.org} · {result.principal.roles.join(', ') || 'no role'}):{' '}
            {result.reason}
            {result.statement && (
              <>
                {' '}
                — decided by <code data-testid="dry-run-statement">{result.statement}</code>
              </>
            )}
          </p>
          {result.matched.length > 0 ? (
            <table aria-label="Matching statements">
              <thead>
                <tr>
                  <th scope="col">Statement</th>
                  <th scope="col">Effect</th>
                  <th scope="col">Source</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {result.matched.map((m) => (
                  <tr key={`${m.source}:${m.id}`}>
                    <td>
                      <code>{m.id}</code>
                    </td>
                    <td class={m.effect === 'allow' ? 'ok' : 'error'}>{m.effect}</td>
                    <td>{m.source}</td>
                    <td>{m.description ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No statement matched: denied by default.</p>
          )}
        </div>
      )}
    </section>
  );
}
