import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { suppressionsChanged } from './suppressions.tsx';
import type { AlertView } from './types.ts';

const DURATIONS: Array<[string, string]> = [
  ['3600000', 'for 1 hour'],
  ['86400000', 'for 24 hours'],
  ['604800000', 'for 7 days'],
  ['', 'until lifted'],
];

/** Suppress what raised this alert: its rule, its Suricata signature, its source, or the rule from that source. */
export function SuppressForm({ alert }: { alert: AlertView }) {
  const sig = typeof alert.detail.signatureId === 'number' ? alert.detail.signatureId : undefined;
  const choices: Array<[string, string, Record<string, unknown>]> = [
    ['rule', `this rule (${alert.rule.id})`, { ruleId: alert.rule.id }],
  ];
  if (sig !== undefined) choices.push(['signature', `this signature (${sig})`, { signatureId: sig }]);
  if (alert.source) {
    choices.push(['source', `this source (${alert.source})`, { srcIp: alert.source }]);
    choices.push(['rule-source', 'this rule from this source', { ruleId: alert.rule.id, srcIp: alert.source }]);
  }
  const [what, setWhat] = useState(choices[0]![0]);
  const [duration, setDuration] = useState('86400000');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    const c = choices.find((x) => x[0] === what)!;
    try {
      await api('POST', '/monitor/suppressions', {
        org: alert.org,
        ...c[2],
        ...(duration ? { durationMs: Number(duration) } : {}),
        reason,
      });
      setMessage(`Suppressed ${c[1]} ${DURATIONS.find((d) => d[0] === duration)![1]}`);
      setReason('');
      suppressionsChanged.dispatchEvent(new Event('change'));
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  return (
    <form class="suppress" aria-label="Suppression" onSubmit={(e) => void submit(e)}>
      <h3>Suppress</h3>
      <div class="row">
        <label for="supp-what">Suppress</label>
        <select id="supp-what" value={what} onChange={(e) => setWhat(e.currentTarget.value)}>
          {choices.map(([v, t]) => (
            <option value={v}>{t}</option>
          ))}
        </select>
        <label for="supp-for">Duration</label>
        <select id="supp-for" value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
          {DURATIONS.map(([v, t]) => (
            <option value={v}>{t}</option>
          ))}
        </select>
      </div>
      <div class="row">
        <label for="supp-reason">Reason</label>
        <input
          id="supp-reason"
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <button type="submit">Suppress</button>
      </div>
      <p role="status" class="muted" data-testid="suppress-message">
        {message}
      </p>
    </form>
  );
}
