import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePager } from '../pager.tsx';
import { usePolled } from '../poll.ts';

interface OwnRecord {
  id: string;
  latestVersion: number;
  createdAt: number;
  erasedAt: number | null;
  readers: string[];
  pendingRequests: number;
}
interface AccessRequest {
  id: string;
  recordId: string;
  ownerId: string;
  requesterId: string;
  reason: string | null;
  status: string;
  createdAt: number;
}

const PAGE = 20;
const when = (ms: number) => new Date(ms).toLocaleString();

function RequestTable({
  items,
  mine,
  onDeny,
}: {
  items: AccessRequest[];
  mine: boolean;
  onDeny?: (r: AccessRequest) => void;
}) {
  const { shown, controls } = usePager(items, PAGE);
  if (items.length === 0)
    return (
      <p class="muted">
        {mine ? 'You have asked no owner for access.' : 'Nobody has asked for access to your records.'}
      </p>
    );
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>Record</th>
            <th>{mine ? 'Owner' : 'Requester'}</th>
            <th>Reason</th>
            <th>Asked</th>
            <th>Status</th>
            {onDeny && <th>Decide</th>}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr data-testid={mine ? 'my-request' : 'owner-request'}>
              <td>
                <code>{r.recordId}</code>
              </td>
              <td>{mine ? r.ownerId : r.requesterId}</td>
              <td>{r.reason ?? '—'}</td>
              <td>{when(r.createdAt)}</td>
              <td>{r.status}</td>
              {onDeny && (
                <td>
                  {r.status === 'pending' && (
                    <button type="button" onClick={() => onDeny(r)}>
                      Deny
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {controls}
    </>
  );
}

/**
 * The signed-in owner's vault: their records with the readers holding grants, requests on them
 * and requests they made. Approving needs the owner's private key, so it stays with their client
 * (`msec vault grant`); denying and revoking are server-side and offered here.
 */
export function VaultPanel() {
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState('');
  const records = usePolled(
    () =>
      api<{ items: OwnRecord[]; nextOffset: number | null }>('GET', `/vault/records?limit=${PAGE}&offset=${offset}`),
    10_000,
    [offset],
  );
  const asOwner = usePolled(() => api<{ items: AccessRequest[] }>('GET', '/vault/requests?as=owner'), 10_000);
  const mine = usePolled(() => api<{ items: AccessRequest[] }>('GET', '/vault/requests?as=requester'), 10_000);

  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      setMessage(done);
      records.reload();
      asOwner.reload();
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const revoke = (recordId: string, reader: string) =>
    act(
      () => api('DELETE', `/vault/records/${encodeURIComponent(recordId)}/grants/${encodeURIComponent(reader)}`),
      `Revoked ${reader} on ${recordId}`,
    );
  const deny = (r: AccessRequest) =>
    act(() => api('POST', `/vault/requests/${encodeURIComponent(r.id)}/deny`), `Denied ${r.requesterId}`);

  const items = records.data?.items ?? [];
  return (
    <section class="card" aria-labelledby="vault-title" data-testid="vault">
      <h2 id="vault-title">Your vault records</h2>
      <p class="muted">
        Records are encrypted on your client; the server holds ciphertext and keys wrapped for you and the readers you
        approved. Approve a request with <code>msec vault grant RECORD --reader PRINCIPAL</code> (your private key never
        reaches the browser).
      </p>
      {records.error && (
        <p role="alert" class="error">
          {records.error}
        </p>
      )}
      <p role="status" class="muted">
        {message}
      </p>
      {records.data && items.length === 0 && offset === 0 && (
        <p class="muted" data-testid="vault-empty">
          You keep no records in the vault.
        </p>
      )}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Record</th>
              <th>Version</th>
              <th>Created</th>
              <th>Readers with a grant</th>
              <th>Pending requests</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr data-testid="vault-record">
                <td>
                  <code>{r.id}</code>
                  {r.erasedAt !== null && <div class="muted small">erased {when(r.erasedAt)}</div>}
                </td>
                <td class="num">{r.latestVersion}</td>
                <td>{when(r.createdAt)}</td>
                <td>
                  {r.readers.length === 0 && <span class="muted">only you</span>}
                  {r.readers.map((reader) => (
                    <div class="row">
                      <span>{reader}</span>
                      <button
                        type="button"
                        onClick={() => void revoke(r.id, reader)}
                        aria-label={`Revoke ${reader} on ${r.id}`}
                      >
                        Revoke
                      </button>
                    </div>
                  ))}
                </td>
                <td class="num">{r.pendingRequests}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(offset > 0 || records.data?.nextOffset != null) && (
        <nav class="pager" aria-label="Pages of your records">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <span>
            {offset + 1}–{offset + items.length}
          </span>
          <button
            type="button"
            disabled={records.data?.nextOffset == null}
            onClick={() => setOffset(records.data?.nextOffset ?? offset)}
          >
            Next
          </button>
        </nav>
      )}
      <h3>Requests on your records</h3>
      {asOwner.error && (
        <p role="alert" class="error">
          {asOwner.error}
        </p>
      )}
      {asOwner.data && <RequestTable items={asOwner.data.items} mine={false} onDeny={(r) => void deny(r)} />}
      <h3>Requests you made</h3>
      {mine.error && (
        <p role="alert" class="error">
          {mine.error}
        </p>
      )}
      {mine.data && <RequestTable items={mine.data.items} mine />}
    </section>
  );
}
