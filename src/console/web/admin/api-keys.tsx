import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePager } from '../pager.tsx';
import { usePolled } from '../poll.ts';
import { when, type ApiKeyInfo } from './types.ts';

const TTLS = [
  { s: 86_400, label: '1 day' },
  { s: 30 * 86_400, label: '30 days' },
  { s: 365 * 86_400, label: '1 year' },
];

/**
 * The caller's API keys: create (the secret is shown once, in this component's memory only,
 * until dismissed) and revoke.
 */
export function ApiKeysPanel() {
  const keys = usePolled(() => api<{ items: ApiKeyInfo[] }>('GET', '/api-keys'), 15_000);
  const [name, setName] = useState('');
  const [ttl, setTtl] = useState(30 * 86_400);
  const [secret, setSecret] = useState<{ name: string; key: string } | undefined>();
  const [message, setMessage] = useState('');
  const items = [...(keys.data?.items ?? [])].sort((a, b) => b.createdAt - a.createdAt);
  const { shown, controls } = usePager(items, 20);

  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ key: string; info: ApiKeyInfo }>('POST', '/api-keys', { name, ttlSeconds: ttl });
      setSecret({ name: r.info.name, key: r.key });
      setMessage('');
      setName('');
      keys.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const revoke = async (k: ApiKeyInfo) => {
    try {
      await api('DELETE', `/api-keys/${encodeURIComponent(k.id)}`);
      setMessage(`Revoked ${k.name}`);
      keys.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">Your API keys</h2>
      {keys.error && (
        <p role="alert" class="error">
          {keys.error}
        </p>
      )}
      {secret && (
        <div class="secret" role="alert" data-testid="new-key">
          <p>
            <strong>Copy the key “{secret.name}” now: it is shown only this once.</strong>
          </p>
          <code data-testid="new-key-secret">{secret.key}</code>
          <div>
            <button type="button" onClick={() => setSecret(undefined)}>
              I have copied it
            </button>
          </div>
        </div>
      )}
      <form class="row" onSubmit={(e) => void create(e)} aria-label="New API key">
        <label for="key-name">Name</label>
        <input
          id="key-name"
          required
          maxLength={64}
          pattern="[\w .:\-]+"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label for="key-ttl">Expires after</label>
        <select id="key-ttl" value={String(ttl)} onChange={(e) => setTtl(Number(e.currentTarget.value))}>
          {TTLS.map((t) => (
            <option value={String(t.s)}>{t.label}</option>
          ))}
        </select>
        <button type="submit">Create API key</button>
      </form>
      <p role="status" class="muted" data-testid="keys-message">
        {message}
      </p>
      {keys.data && items.length === 0 && <p class="muted">You have no API keys.</p>}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((k) => (
              <tr data-testid="key-row" data-name={k.name}>
                <td>{k.name}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.expiresAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td data-testid="key-state">{k.revokedAt !== null ? `revoked ${when(k.revokedAt)}` : 'active'}</td>
                <td>
                  {k.revokedAt === null && (
                    <button type="button" onClick={() => void revoke(k)} aria-label={`Revoke API key ${k.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {controls}
    </section>
  );
}
