import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { useLiveData } from '../live.ts';
import { AlertTimeline, type CommentEntry, type HistoryEntry } from '../secops/alert-timeline.tsx';
import { SuppressForm } from '../secops/suppress-form.tsx';
import type { AlertView } from '../secops/types.ts';

interface EcsDoc {
  '@timestamp'?: string;
  event?: { dataset?: string };
  source?: { ip?: string; port?: number };
  destination?: { ip?: string; port?: number };
  rule?: { name?: string };
  network?: { transport?: string };
}
interface EventView {
  seq: number;
  id: string;
  doc: EcsDoc;
}
type Detail = AlertView & { comments: CommentEntry[]; history: HistoryEntry[] };

const endpoint = (d: { ip?: string; port?: number } | undefined) =>
  d?.ip ? `${d.ip}${d.port !== undefined ? `:${d.port}` : ''}` : '—';

/**
 * One alert: what it is, full triage (acknowledge, escalate, reopen, close with a reason, assign,
 * comment, suppress), its timeline, and the events behind it. Live: reloads when the alert changes.
 */
export function AlertDetail({
  id,
  onChanged,
  onClose,
}: {
  id: string;
  onChanged: (a?: AlertView) => void;
  onClose?: () => void;
}) {
  const mine = (m: { kind: string; alerts?: AlertView[] }) =>
    m.kind === 'alerts' && (m.alerts ?? []).some((a) => a.id === id);
  const detail = useLiveData(() => api<Detail>('GET', `/monitor/alerts/${encodeURIComponent(id)}`), [id], mine);
  const events = useLiveData(
    () =>
      api<{ linked: EventView[]; flow: EventView[] }>(
        'GET',
        `/monitor/alerts/${encodeURIComponent(id)}/events?limit=200`,
      ),
    [id],
    mine,
    3000,
  );
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState('');
  const [reason, setReason] = useState('true_positive');
  const [message, setMessage] = useState('');

  const update = async (body: Record<string, unknown>, done: string, e?: Event) => {
    e?.preventDefault();
    try {
      const a = await api<AlertView>('PATCH', `/monitor/alerts/${encodeURIComponent(id)}`, body);
      setMessage(done);
      if (body.comment) setComment('');
      detail.reload();
      onChanged(a);
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const d = detail.data;
  const all = [
    ...(events.data?.linked ?? []).map((e) => ({ ...e, why: 'linked' })),
    ...(events.data?.flow ?? []).map((e) => ({ ...e, why: 'same flow' })),
  ].sort((a, b) => String(a.doc['@timestamp']).localeCompare(String(b.doc['@timestamp'])));
  const times = all.map((e) => Date.parse(e.doc['@timestamp'] ?? '')).filter((t) => Number.isFinite(t));

  return (
    <section class="card detail" aria-labelledby="detail-title" data-testid="alert-detail">
      <div class="page-head">
        <h2 id="detail-title">{d ? d.rule.title : 'Alert'}</h2>
        {onClose && (
          <button type="button" onClick={onClose} aria-label="Close the alert detail">
            Close panel
          </button>
        )}
      </div>
      {detail.error && (
        <p role="alert" class="error">
          {detail.error}
        </p>
      )}
      {d && (
        <>
          <dl class="kv">
            <dt>Status</dt>
            <dd data-testid="detail-status">
              {d.status}
              {d.closeReason ? ` (${d.closeReason.replace('_', ' ')})` : ''}
            </dd>
            <dt>Level · risk</dt>
            <dd>
              <span class={`pill lvl-${d.level}`}>{d.level}</span> · {d.risk}/100
            </dd>
            <dt>Rule</dt>
            <dd class="mono">
              {d.rule.id} ({d.rule.kind})
            </dd>
            <dt>Source → destination</dt>
            <dd class="mono">
              {d.source ?? '—'} → {d.destination ?? '—'}
            </dd>
            <dt>City · gateway</dt>
            <dd>
              {d.org} · {d.gateway ?? '—'}
            </dd>
            <dt>ATT&amp;CK</dt>
            <dd>
              {d.mitre.technique ?? '—'}
              {d.mitre.tacticName ? ` · ${d.mitre.tacticName}` : ''}
            </dd>
            <dt>Events</dt>
            <dd>{d.count}</dd>
            <dt>Assignee</dt>
            <dd data-testid="detail-assignee">{d.assignee ?? 'nobody'}</dd>
          </dl>
          <div class="triage row" role="group" aria-label="Triage">
            {d.status === 'open' && (
              <button type="button" onClick={() => void update({ status: 'acknowledged' }, 'Acknowledged')}>
                Acknowledge
              </button>
            )}
            {(d.status === 'open' || d.status === 'acknowledged') && (
              <button type="button" onClick={() => void update({ status: 'escalated' }, 'Escalated')}>
                Escalate
              </button>
            )}
            {(d.status === 'closed' || d.status === 'acknowledged') && (
              <button type="button" onClick={() => void update({ status: 'open' }, 'Reopened')}>
                Reopen
              </button>
            )}
          </div>
          {d.status !== 'closed' && (
            <form class="row" onSubmit={(e) => void update({ status: 'closed', closeReason: reason }, 'Closed', e)}>
              <label for="close-reason">Close as</label>
              <select id="close-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
                <option value="true_positive">true positive</option>
                <option value="false_positive">false positive</option>
                <option value="benign">benign</option>
              </select>
              <button type="submit">Close alert</button>
            </form>
          )}
          <form class="row" onSubmit={(e) => void update({ assignee }, `Assigned to ${assignee}`, e)}>
            <label for="assignee">Assign to</label>
            <input
              id="assignee"
              required
              maxLength={200}
              value={assignee}
              onInput={(e) => setAssignee(e.currentTarget.value)}
            />
            <button type="submit">Assign</button>
          </form>
          <form class="row" onSubmit={(e) => void update({ comment }, 'Comment added', e)}>
            <label for="comment">Comment</label>
            <input
              id="comment"
              required
              maxLength={4000}
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
            />
            <button type="submit">Add comment</button>
          </form>
          <p role="status" class="muted" data-testid="detail-message">
            {message}
          </p>
          <ul class="comments" aria-label="Comments">
            {d.comments.map((c) => (
              <li data-testid="comment">
                <span class="muted">
                  {new Date(c.at).toLocaleString()} {c.actor}:
                </span>{' '}
                {c.text}
              </li>
            ))}
          </ul>
          <SuppressForm alert={d} />
          <h3>Timeline</h3>
          <AlertTimeline
            firstSeen={d.firstSeen}
            lastSeen={d.lastSeen}
            events={times}
            history={d.history}
            comments={d.comments}
          />
        </>
      )}
      <h3>Events behind it ({all.length})</h3>
      {events.error && (
        <p role="alert" class="error">
          {events.error}
        </p>
      )}
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Dataset</th>
              <th>Source</th>
              <th>Destination</th>
              <th>Transport</th>
              <th>Rule</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {all.map((e) => (
              <tr data-testid="alert-event">
                <td>{e.doc['@timestamp'] ?? '—'}</td>
                <td>{e.doc.event?.dataset ?? '—'}</td>
                <td>{endpoint(e.doc.source)}</td>
                <td>{endpoint(e.doc.destination)}</td>
                <td>{e.doc.network?.transport ?? '—'}</td>
                <td>{e.doc.rule?.name ?? '—'}</td>
                <td>{e.why}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
