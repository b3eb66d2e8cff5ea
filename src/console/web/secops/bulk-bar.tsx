import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';

interface BulkResult {
  matched: number;
  updated: number;
  results: Array<{ id: string; ok: boolean; code?: string; message?: string }>;
}

const ACTIONS: Array<[string, string, Record<string, unknown>]> = [
  ['acknowledge', 'Acknowledge', { status: 'acknowledged' }],
  ['escalate', 'Escalate', { status: 'escalated' }],
  ['close-fp', 'Close: false positive', { status: 'closed', closeReason: 'false_positive' }],
  ['close-tp', 'Close: true positive', { status: 'closed', closeReason: 'true_positive' }],
  ['close-benign', 'Close: benign', { status: 'closed', closeReason: 'benign' }],
];

/** Bulk triage through POST /monitor/alerts/bulk: on the selected alerts, or on everything the filter matches. */
export function BulkBar(p: {
  params: Record<string, string | number>;
  selected: string[];
  total: number;
  onDone: (message: string) => void;
}) {
  const [action, setAction] = useState('acknowledge');
  const [scope, setScope] = useState<'selected' | 'filter'>('selected');
  const [busy, setBusy] = useState(false);
  const target = scope === 'selected' ? p.selected.length : p.total;

  const run = async (e: Event) => {
    e.preventDefault();
    const [, label, update] = ACTIONS.find((a) => a[0] === action)!;
    const filter = { ...p.params, ...(scope === 'selected' ? { ids: p.selected } : {}) };
    setBusy(true);
    try {
      const r = await api<BulkResult>('POST', '/monitor/alerts/bulk', { filter, update, max: 10_000 });
      const failed = r.results.filter((x) => !x.ok);
      p.onDone(
        `${label}: ${r.updated} of ${r.matched} updated` +
          (failed.length > 0 ? ` (${failed.length} refused: ${failed[0]!.code} ${failed[0]!.message})` : ''),
      );
    } catch (err) {
      p.onDone(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="bulk row" aria-label="Bulk triage" onSubmit={(e) => void run(e)}>
      <label for="bulk-action">Bulk action</label>
      <select id="bulk-action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
        {ACTIONS.map(([v, t]) => (
          <option value={v}>{t}</option>
        ))}
      </select>
      <label for="bulk-scope">on</label>
      <select id="bulk-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'selected' | 'filter')}>
        <option value="selected">the selected alerts ({p.selected.length})</option>
        <option value="filter">every alert the filter matches ({p.total.toLocaleString()})</option>
      </select>
      <button type="submit" disabled={busy || target === 0}>
        Apply to {target.toLocaleString()}
      </button>
    </form>
  );
}
