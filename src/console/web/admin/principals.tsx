import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePolled } from '../poll.ts';
import { RolePicker } from './role-picker.tsx';
import { PRINCIPAL_KINDS, when, type Org, type Principal } from './types.ts';

const PAGE = 25;

function RoleEditor({ p, onSaved }: { p: Principal; onSaved: (msg: string) => void }) {
  const [roles, setRoles] = useState(p.roles);
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} aria-label={`Edit roles of ${p.name}`}>
        Roles…
      </button>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void api('PATCH', `/principals/${encodeURIComponent(p.id)}`, { roles }).then(
          () => (setOpen(false), onSaved(`Roles of ${p.name}: ${roles.join(', ')}`)),
          (err: unknown) => onSaved(errorText(err)),
        );
      }}
    >
      <RolePicker id={`roles-${p.id}`} value={roles} onChange={setRoles} />
      <button type="submit" disabled={roles.length === 0}>
        Save roles
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

/** Users, services and devices of an organisation: list (paged by the server), create, roles, disable. */
export function PrincipalsPanel({ orgs, myOrg }: { orgs: Org[]; myOrg: string }) {
  const [org, setOrg] = useState(myOrg);
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState('');
  const list = usePolled(
    () =>
      api<{ items: Principal[] }>(
        'GET',
        `/principals?org=${encodeURIComponent(org)}&limit=${PAGE + 1}&offset=${offset}`,
      ),
    15_000,
    [org, offset],
  );
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('user');
  const [roles, setRoles] = useState<string[]>(['consumer']);
  const [password, setPassword] = useState('');

  const done = (msg: string) => {
    setMessage(msg);
    list.reload();
  };
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const p = await api<Principal>('POST', '/principals', {
        org,
        kind,
        name,
        roles,
        ...(kind === 'user' && password ? { password } : {}),
      });
      setName('');
      setPassword('');
      done(`Created ${p.kind} ${p.name} in ${p.orgId}`);
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const toggle = (p: Principal) =>
    api('PATCH', `/principals/${encodeURIComponent(p.id)}`, { disabled: !p.disabled }).then(
      () => done(`${p.name} ${p.disabled ? 'enabled' : 'disabled'}`),
      (err: unknown) => setMessage(errorText(err)),
    );

  const items = (list.data?.items ?? []).slice(0, PAGE);
  const more = (list.data?.items.length ?? 0) > PAGE;
  return (
    <section class="card" aria-labelledby="principals-title">
      <h2 id="principals-title">Users and other principals</h2>
      <div class="row">
        <label for="principal-org">Organisation</label>
        <select id="principal-org" value={org} onChange={(e) => (setOrg(e.currentTarget.value), setOffset(0))}>
          {(orgs.some((o) => o.id === myOrg) ? orgs : [{ id: myOrg, name: myOrg } as Org, ...orgs]).map((o) => (
            <option value={o.id}>{o.name === o.id ? o.id : `${o.name} (${o.id})`}</option>
          ))}
        </select>
      </div>
      {list.error && (
        <p role="alert" class="error">
          {list.error}
        </p>
      )}
      <p role="status" class="muted" data-testid="principals-message">
        {message}
      </p>
      {list.data && items.length === 0 && <p class="muted">No principals in {org}.</p>}
      {items.length > 0 && (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Roles</th>
                <th>State</th>
                <th>Created</th>
                <th>Manage</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr data-testid="principal-row">
                  <td>
                    {p.name}
                    {p.displayName && <div class="muted small">{p.displayName}</div>}
                    <div class="muted small">
                      <code>{p.id}</code>
                    </div>
                  </td>
                  <td>{p.kind}</td>
                  <td>{p.roles.join(', ')}</td>
                  <td>
                    {p.disabled ? 'disabled' : 'active'}
                    {p.lockedUntil !== null && p.lockedUntil > Date.now() && ` · locked until ${when(p.lockedUntil)}`}
                  </td>
                  <td>{when(p.createdAt)}</td>
                  <td>
                    <div class="triage">
                      <RoleEditor p={p} onSaved={done} />
                      <button type="button" onClick={() => void toggle(p)}>
                        {p.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(offset > 0 || more) && (
        <nav class="pager" aria-label="Pages of principals">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <span>
            {offset + 1}–{offset + items.length}
          </span>
          <button type="button" disabled={!more} onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
        </nav>
      )}
      <form class="stack" onSubmit={(e) => void create(e)} aria-labelledby="new-principal-title">
        <h3 id="new-principal-title">New principal in {org}</h3>
        <div class="row">
          <label for="new-name">Name</label>
          <input
            id="new-name"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9._@\-]{0,127}"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <label for="new-kind">Kind</label>
          <select id="new-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {PRINCIPAL_KINDS.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </div>
        {kind === 'user' && (
          <div class="row">
            <label for="new-password">Password (12 characters or more)</label>
            <input
              id="new-password"
              type="password"
              autocomplete="new-password"
              minLength={12}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
        )}
        <RolePicker id="new-roles" value={roles} onChange={setRoles} />
        <button type="submit" disabled={roles.length === 0}>
          Create principal
        </button>
      </form>
    </section>
  );
}
