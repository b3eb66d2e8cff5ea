import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { listOf } from './types.ts';

const SCOPES = ['any', 'own-org', 'self', 'platform'] as const;

/** Adds a central policy: the server validates it (IAM_POLICY_INVALID says what is wrong). */
export function PolicyForm({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState({
    id: '',
    effect: 'allow',
    roles: '',
    actions: '',
    scope: 'any',
    types: '',
    description: '',
  });
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const set = (k: keyof typeof f) => (e: Event) =>
    setF({ ...f, [k]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setDone('');
    const roles = listOf(f.roles);
    const types = listOf(f.types);
    const doc = {
      id: f.id.trim(),
      effect: f.effect,
      actions: listOf(f.actions),
      scope: f.scope,
      ...(roles.length && !(roles.length === 1 && roles[0] === '*') ? { roles } : {}),
      ...(types.length ? { resource: { types } } : {}),
      ...(f.description.trim() ? { description: f.description.trim() } : {}),
    };
    try {
      await api('POST', '/policies', doc);
      setDone(`Policy ${doc.id} added.`);
      setF({ ...f, id: '', actions: '', types: '', description: '' });
      onAdded();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form class="card stack" aria-labelledby="policy-add-title" onSubmit={(e) => void submit(e)}>
      <h2 id="policy-add-title">Add a policy</h2>
      <label for="p-id">Policy id</label>
      <input id="p-id" required value={f.id} onInput={set('id')} />
      <label for="p-effect">Effect</label>
      <select id="p-effect" value={f.effect} onChange={set('effect')}>
        <option value="allow">allow</option>
        <option value="deny">deny</option>
      </select>
      <label for="p-roles">Roles (comma-separated; empty: everyone)</label>
      <input id="p-roles" placeholder="analyst, operator" value={f.roles} onInput={set('roles')} />
      <label for="p-actions">Actions (comma-separated globs)</label>
      <input id="p-actions" required placeholder="monitor:alert:read" value={f.actions} onInput={set('actions')} />
      <label for="p-scope">Scope</label>
      <select id="p-scope" value={f.scope} onChange={set('scope')}>
        {SCOPES.map((s) => (
          <option value={s}>{s}</option>
        ))}
      </select>
      <label for="p-types">Resource types (optional)</label>
      <input id="p-types" placeholder="alert" value={f.types} onInput={set('types')} />
      <label for="p-desc">Description</label>
      <input id="p-desc" maxLength={500} value={f.description} onInput={set('description')} />
      <button type="submit">Add policy</button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {done && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
    </form>
  );
}
