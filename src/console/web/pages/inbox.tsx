import '../secops/secops.css';
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { BulkBar } from '../secops/bulk-bar.tsx';
import { InboxFilters } from '../secops/inbox-filters.tsx';
import { LiveBadge } from '../secops/live-badge.tsx';
import { Suppressions } from '../secops/suppressions.tsx';
import { filterParams, type AlertFilter, type AlertView } from '../secops/types.ts';
import { useInbox } from '../secops/use-inbox.ts';
import { VirtualList } from '../secops/virtual-list.tsx';
import { AlertDetail } from './alert-detail.tsx';

export const ROW_HEIGHT = 38;
const EMPTY: AlertFilter = {
  status: 'open,acknowledged,escalated',
  minSeverity: '',
  rule: '',
  src: '',
  org: '',
  technique: '',
  range: 'all',
};

/** `#/inbox/src=1.2.3.4&technique=T1110`: a filter from the overview's links. */
function filterFromHash(): AlertFilter {
  const rest = location.hash.replace(/^#\/?inbox\/?/, '');
  const q = new URLSearchParams(rest);
  const f = { ...EMPTY };
  for (const k of Object.keys(f) as Array<keyof AlertFilter>) {
    const v = q.get(k);
    if (v !== null) f[k] = v;
  }
  return f;
}

/** One formatter for every row: toLocaleString builds a new one per call, too slow for a row a frame. */
const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const time = (ms: number) => FORMAT.format(ms);

/** The alert inbox: filters, a windowed list over cursor pages, triage one or in bulk, live. */
export function InboxPage() {
  const [filter, setFilter] = useState<AlertFilter>(filterFromHash);
  const [applied, setApplied] = useState(() => ({ f: filter, at: Date.now() }));
  const params = useMemo(() => filterParams(applied.f, applied.at), [applied]);
  const atTop = useRef(true);
  const inbox = useInbox(params, () => atTop.current);
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [detail, setDetail] = useState<string | undefined>();
  const [message, setMessage] = useState('');
  const [toTop, setToTop] = useState(0);

  const apply = (f: AlertFilter) => {
    setFilter(f);
    setApplied({ f, at: Date.now() });
    setSelected(new Set());
    setActive(0);
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const acknowledge = async (a: AlertView) => {
    try {
      inbox.replace(
        await api<AlertView>('PATCH', `/monitor/alerts/${encodeURIComponent(a.id)}`, { status: 'acknowledged' }),
      );
      setMessage(`Acknowledged: ${a.rule.title}`);
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const row = (i: number, style: Record<string, string>) => {
    const a = inbox.items[i]!;
    return (
      <div
        style={style}
        id={`vrow-${i}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected.has(a.id)}
        class={`vrow${i === active ? ' active' : ''}${detail === a.id ? ' open' : ''}`}
        data-testid="alert-row"
        data-id={a.id}
        onClick={() => setActive(i)}
      >
        <span role="gridcell">
          <input
            type="checkbox"
            aria-label={`Select ${a.rule.title}`}
            checked={selected.has(a.id)}
            onChange={() => toggle(a.id)}
            tabIndex={-1}
          />
        </span>
        <span role="gridcell">
          <span class={`pill lvl-${a.level}`}>{a.level}</span>
        </span>
        <span role="gridcell" class="ellipsis" title={a.rule.title}>
          {a.rule.title}
        </span>
        <span role="gridcell" class="ellipsis mono">
          {a.source ?? '—'} → {a.destination ?? '—'}
        </span>
        <span role="gridcell" class="ellipsis">
          {a.org} · {a.gateway ?? '—'}
        </span>
        <span role="gridcell">{a.mitre.technique ?? '—'}</span>
        <span role="gridcell" class="num">
          {a.count}
        </span>
        <span role="gridcell" class="ellipsis">
          {time(a.lastSeen)}
        </span>
        <span role="gridcell" data-testid="alert-status" class={`status st-${a.status}`}>
          {a.status}
        </span>
        <span role="gridcell" class="triage">
          <button type="button" tabIndex={-1} onClick={() => setDetail(a.id)}>
            Details
          </button>
          {a.status === 'open' && (
            <button type="button" tabIndex={-1} onClick={() => void acknowledge(a)}>
              Acknowledge
            </button>
          )}
        </span>
      </div>
    );
  };

  const ids = [...selected];
  return (
    <>
      <div class="page-head">
        <h1>Alert inbox</h1>
        <LiveBadge />
        <span class="muted" data-testid="inbox-total">
          {inbox.total === undefined
            ? ''
            : `${inbox.total.toLocaleString()} alerts match · ${inbox.items.length.toLocaleString()} loaded`}
        </span>
      </div>
      <InboxFilters value={filter} onApply={apply} />
      <BulkBar
        params={params}
        selected={ids}
        total={inbox.total ?? 0}
        onDone={(text) => {
          setMessage(text);
          setSelected(new Set());
          inbox.reload();
        }}
      />
      <p role="status" class="muted" data-testid="inbox-message">
        {message}
      </p>
      {inbox.error && (
        <p role="alert" class="error">
          {inbox.error}
        </p>
      )}
      {inbox.waiting > 0 && (
        <button
          type="button"
          class="waiting"
          onClick={() => {
            inbox.showWaiting();
            setToTop((t) => t + 1);
          }}
        >
          {inbox.waiting} new alert{inbox.waiting === 1 ? '' : 's'}: show
        </button>
      )}
      <div class={`inbox-layout${detail ? ' with-detail' : ''}`}>
        <div class="inbox-table">
          <div class="vrow vhead" role="row" aria-hidden="true">
            <span>
              <input
                type="checkbox"
                aria-label="Select every loaded alert"
                checked={inbox.items.length > 0 && selected.size === inbox.items.length}
                onChange={(e) =>
                  setSelected(e.currentTarget.checked ? new Set(inbox.items.map((a) => a.id)) : new Set())
                }
              />
            </span>
            <span>Level</span>
            <span>Rule</span>
            <span>Source → destination</span>
            <span>City · gateway</span>
            <span>Technique</span>
            <span class="num">Events</span>
            <span>Last seen</span>
            <span>Status</span>
            <span>Triage</span>
          </div>
          {inbox.items.length === 0 && !inbox.loading && !inbox.error ? (
            <p class="muted empty" data-testid="inbox-empty">
              No alerts match.
            </p>
          ) : (
            <VirtualList
              count={inbox.items.length}
              total={inbox.total ?? inbox.items.length}
              rowHeight={ROW_HEIGHT}
              label="Alerts, newest first: arrows move, Enter opens, Space selects"
              row={row}
              onNeed={inbox.need}
              active={active}
              onActive={setActive}
              onKey={(i, key) => {
                const a = inbox.items[i];
                if (!a) return;
                if (key === 'Enter') setDetail(a.id);
                else toggle(a.id);
              }}
              topSignal={toTop}
              onAtTop={(t) => (atTop.current = t)}
            />
          )}
        </div>
        {detail && (
          <AlertDetail id={detail} onChanged={(a) => a && inbox.replace(a)} onClose={() => setDetail(undefined)} />
        )}
      </div>
      <Suppressions />
    </>
  );
}
