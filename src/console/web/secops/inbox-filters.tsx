import { useState } from 'preact/hooks';
import { RANGES, type AlertFilter } from './types.ts';

const STATUSES: Array<[string, string]> = [
  ['open,acknowledged,escalated', 'Not closed'],
  ['open', 'Open'],
  ['acknowledged', 'Acknowledged'],
  ['escalated', 'Escalated'],
  ['closed', 'Closed'],
  ['', 'Any'],
];
const SEVERITIES: Array<[string, string]> = [
  ['', 'Any'],
  ['5', 'Critical'],
  ['4', 'High or above'],
  ['3', 'Medium or above'],
  ['2', 'Low or above'],
];

/** The inbox filter form: applied on submit, so typing does not query on every key. */
export function InboxFilters({ value, onApply }: { value: AlertFilter; onApply: (f: AlertFilter) => void }) {
  const [f, setF] = useState(value);
  const set = (k: keyof AlertFilter) => (e: Event) =>
    setF({ ...f, [k]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  return (
    <form
      class="filters"
      aria-label="Filter alerts"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(f);
      }}
    >
      <label>
        Status
        <select value={f.status} onChange={set('status')}>
          {STATUSES.map(([v, t]) => (
            <option value={v}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Severity
        <select value={f.minSeverity} onChange={set('minSeverity')}>
          {SEVERITIES.map(([v, t]) => (
            <option value={v}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Rule id
        <input value={f.rule} onInput={set('rule')} placeholder="suricata:1:2000001" maxLength={200} />
      </label>
      <label>
        Source IP
        <input value={f.src} onInput={set('src')} placeholder="203.0.113.9" maxLength={64} />
      </label>
      <label>
        City
        <input value={f.org} onInput={set('org')} placeholder="santander" maxLength={128} />
      </label>
      <label>
        Technique
        <input value={f.technique} onInput={set('technique')} placeholder="T1110" maxLength={9} />
      </label>
      <label>
        Time range
        <select value={f.range} onChange={set('range')}>
          {RANGES.map(([v, t]) => (
            <option value={v}>{t}</option>
          ))}
        </select>
      </label>
      <button type="submit">Apply filter</button>
    </form>
  );
}
