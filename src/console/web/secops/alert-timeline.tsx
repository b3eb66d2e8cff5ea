export interface HistoryEntry {
  at: number;
  actor: string;
  from: string;
  to: string;
  closeReason?: string;
  assignee?: string | null;
}
export interface CommentEntry {
  at: number;
  actor: string;
  text: string;
}

const BINS = 40;
const W = 600;
const H = 70;

function describe(h: HistoryEntry): string {
  if (h.from !== h.to) return `${h.from} → ${h.to}${h.closeReason ? ` (${h.closeReason.replace('_', ' ')})` : ''}`;
  if (h.assignee !== undefined) return h.assignee ? `assigned to ${h.assignee}` : 'unassigned';
  return 'changed';
}

/**
 * An alert's life on one axis: its events binned over time (bars), first and last seen, and every
 * lifecycle change and comment (marks), then the same as a list in time order.
 */
export function AlertTimeline(p: {
  firstSeen: number;
  lastSeen: number;
  events: number[];
  history: HistoryEntry[];
  comments: CommentEntry[];
}) {
  const marks = [...p.history.map((h) => h.at), ...p.comments.map((c) => c.at)];
  const t0 = Math.min(p.firstSeen, ...p.events);
  const t1 = Math.max(p.lastSeen, ...p.events, ...marks, t0 + 1000);
  const x = (t: number) => ((t - t0) / (t1 - t0)) * (W - 10) + 5;
  const bins = new Array<number>(BINS).fill(0);
  for (const t of p.events) bins[Math.min(BINS - 1, Math.floor(((t - t0) / (t1 - t0)) * BINS))]!++;
  const max = Math.max(1, ...bins);
  const bw = (W - 10) / BINS;
  const entries = [
    { at: p.firstSeen, text: 'first seen', kind: 'seen' },
    ...p.history.map((h) => ({ at: h.at, text: `${describe(h)} by ${h.actor}`, kind: 'change' })),
    ...p.comments.map((c) => ({ at: c.at, text: `${c.actor} commented: ${c.text}`, kind: 'comment' })),
    { at: p.lastSeen, text: 'last seen', kind: 'seen' },
  ].sort((a, b) => a.at - b.at);
  return (
    <div class="timeline" data-testid="alert-timeline">
      <svg
        viewBox={`0 0 ${W} ${H + 16}`}
        role="img"
        aria-label={`Timeline: ${p.events.length} events from ${new Date(t0).toLocaleString()} to ${new Date(t1).toLocaleString()}, ${p.history.length} lifecycle changes`}
      >
        <line x1={5} x2={W - 5} y1={H} y2={H} class="axis" />
        {bins.map((n, i) =>
          n > 0 ? (
            <rect
              class="bin"
              x={5 + i * bw + 1}
              width={bw - 2}
              y={H - (n / max) * (H - 8)}
              height={(n / max) * (H - 8)}
            >
              <title>{n} events</title>
            </rect>
          ) : null,
        )}
        <line class="seen" x1={x(p.firstSeen)} x2={x(p.firstSeen)} y1={0} y2={H} />
        <line class="seen" x1={x(p.lastSeen)} x2={x(p.lastSeen)} y1={0} y2={H} />
        {p.history.map((h) => (
          <path class="mark change" d={`M${x(h.at)} ${H + 2} l5 10 h-10 z`} data-testid="timeline-change">
            <title>{describe(h)}</title>
          </path>
        ))}
        {p.comments.map((c) => (
          <circle class="mark comment" cx={x(c.at)} cy={H + 8} r={4}>
            <title>comment</title>
          </circle>
        ))}
      </svg>
      <ol class="timeline-list">
        {entries.map((e) => (
          <li class={`tl-${e.kind}`}>
            <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time> {e.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
