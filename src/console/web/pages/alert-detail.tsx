import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { usePolled } from '../poll.ts';

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
interface Detail {
  id: string;
  rule: { title: string };
  status: string;
  assignee: string | null;
  comments: Array<{ at: number; actor: string; text: string }>;
}

const endpoint = (d: { ip?: string; port?: number } | undefined) =>
  d?.ip ? `${d.ip}${d.port !== undefined ? `:${d.port}` : ''}` : '—';

/** One alert: its comments, a comment and assignee form, and the events behind it in time order. */
export function AlertDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const detail = usePolled(() => api<Detail>('GET', `/monitor/alerts/${encodeURIComponent(id)}`), 5000, [id]);
  const events = usePolled(
    () =>
      api<{ linked: EventView[]; flow: EventView[] }>(
        'GET',
        `/monitor/alerts/${encodeURIComponent(id)}/events?limit=200`,
      ),
    10_000,
    [id],
  );
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState('');
  const [message, setMessage] = useState('');

  const update = async (e: Event, body: Record<string, unknown>, done: string) => {
    e.preventDefault();
    try {
      await api('PATCH', `/monitor/alerts/${encodeURIComponent(id)}`, body);
      setMessage(done);
      setComment('');
      detail.reload();
      onChanged();
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const timeline = [
    ...(events.data?.linked ?? []).map((e) => ({ ...e, why: 'linked' })),
    ...(events.data?.flow ?? []).map((e) => ({ ...e, why: 'same flow' })),
  ].sort((a, b) => String(a.doc['@timestamp']).localeCompare(String(b.doc['@timestamp'])));

  return (
    <section class="card detail" aria-labelledby="detail-title" data-testid="alert-detail">
      <h2 id="detail-title">{detail.data ? detail.data.rule.title : 'Alert'}</h2>
      {detail.error && (
        <p role="alert" class="error">
          {detail.error}
        </p>
      )}
      {detail.data && (
        <p>
          Status <strong>{detail.data.status}</strong> · assignee {detail.data.assignee ?? 'nobody'}
        </p>
      )}
      <ul class="comments" aria-label="Comments">
        {detail.data?.comments.map((c) => (
          <li data-testid="comment">
            <span class="muted">
              {new Date(c.at).toLocaleString()} {c.actor}:
            </span>{' '}
            {c.text}
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={(e) => void update(e, { comment }, 'Comment added')}>
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
      <form class="row" onSubmit={(e) => void update(e, { assignee }, `Assigned to ${assignee}`)}>
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
      <p role="status" class="muted">
        {message}
      </p>
      <h3>Events behind it ({timeline.length})</h3>
      {events.error && (
        <p role="alert" class="error">
          {events.error}
        </p>
      )}
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
          {timeline.map((e) => (
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
    </section>
  );
}
