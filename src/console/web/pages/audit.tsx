import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { usePolled } from '../poll.ts';

interface AuditEntry {
  id: number;
  at: number;
  actorName: string | null;
  actorId: string | null;
  orgId: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  status: number | null;
  ip: string | null;
}
interface Filters {
  action: string;
  outcome: string;
  actor: string;
  org: string;
  since: string;
}
const EMPTY: Filters = { action: '', outcome: '', actor: '', org: '', since: '' };
const PAGE = 100;

function query(f: Filters, before: number | undefined): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.action.trim()) q.set('action', f.action.trim());
  if (f.outcome) q.set('outcome', f.outcome);
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.org.trim()) q.set('org', f.org.trim());
  const since = f.since ? Date.parse(f.since) : NaN;
  if (Number.isFinite(since)) q.set('since', String(since));
  if (before !== undefined) q.set('before', String(before));
  return q.toString();
}

/** The audit log, newest first, with filters and older pages (admins, operators, analysts). */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  // Cursor stack: the `before` of each page shown so far (undefined: the newest).
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const before = cursors[cursors.length - 1];
  const { data, error } = usePolled(
    () => api<{ items: AuditEntry[]; nextBefore: number | null }>('GET', `/audit?${query(filters, before)}`),
    10_000,
    [JSON.stringify(filters), before],
  );
  const set = (k: keyof Filters) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const apply = (f: Filters) => {
    setFilters(f);
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form
        class="card filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <div>
          <label for="f-action">Action</label>
          <input
            id="f-action"
            placeholder="iam:session:login"
            maxLength={200}
            value={draft.action}
            onInput={set('action')}
          />
        </div>
        <div>
          <label for="f-outcome">Outcome</label>
          <select id="f-outcome" value={draft.outcome} onChange={set('outcome')}>
            <option value="">any</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
            <option value="denied">denied</option>
          </select>
        </div>
        <div>
          <label for="f-actor">Actor id</label>
          <input id="f-actor" maxLength={128} value={draft.actor} onInput={set('actor')} />
        </div>
        <div>
          <label for="f-org">Organisation</label>
          <input id="f-org" maxLength={63} value={draft.org} onInput={set('org')} />
        </div>
        <div>
          <label for="f-since">Since</label>
          <input id="f-since" type="datetime-local" value={draft.since} onInput={set('since')} />
        </div>
        <div class="row">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              apply(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data && data.items.length === 0 && (
        <p class="muted" data-testid="audit-empty">
          No audit record matches.
        </p>
      )}
      {data && data.items.length > 0 && (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Organisation</th>
                <th>Action</th>
                <th>Resource</th>
                <th>Outcome</th>
                <th>Status</th>
                <th>IP</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((e) => (
                <tr data-testid="audit-row">
                  <td>{new Date(e.at).toLocaleString()}</td>
                  <td>{e.actorName ?? e.actorId ?? '—'}</td>
                  <td>{e.orgId ?? '—'}</td>
                  <td>{e.action}</td>
                  <td>{e.resource ?? '—'}</td>
                  <td class={e.outcome === 'succeeded' ? '' : 'error'}>{e.outcome}</td>
                  <td>{e.status ?? '—'}</td>
                  <td>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages of the audit log">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={!data?.nextBefore}
          onClick={() => data?.nextBefore && setCursors([...cursors, data.nextBefore])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
