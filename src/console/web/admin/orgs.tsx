import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { ORG_KINDS, when, type Org } from './types.ts';

/** Organisations visible to the caller; platform admins create new ones. */
export function OrgsPanel({
  orgs,
  error,
  canCreate,
  onChanged,
}: {
  orgs: Org[];
  error: string;
  canCreate: boolean;
  onChanged: () => void;
}) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('city');
  const [message, setMessage] = useState('');
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const o = await api<Org>('POST', '/orgs', { id, name, kind });
      setMessage(`Created organisation ${o.id}`);
      setId('');
      setName('');
      onChanged();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  return (
    <section class="card" aria-labelledby="orgs-title">
      <h2 id="orgs-title">Organisations</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Kind</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {orgs.map((o) => (
            <tr data-testid="org-row">
              <td>
                <code>{o.id}</code>
              </td>
              <td>{o.name}</td>
              <td>{o.kind}</td>
              <td>{when(o.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p role="status" class="muted">
        {message}
      </p>
      {canCreate && (
        <form class="row" onSubmit={(e) => void create(e)} aria-label="New organisation">
          <label for="org-id">Id</label>
          <input
            id="org-id"
            required
            pattern="[a-z][a-z0-9\-]{1,62}"
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
          />
          <label for="org-name">Name</label>
          <input id="org-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label for="org-kind">Kind</label>
          <select id="org-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {ORG_KINDS.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
          <button type="submit">Create organisation</button>
        </form>
      )}
    </section>
  );
}
