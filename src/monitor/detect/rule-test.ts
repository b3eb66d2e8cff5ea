import { normaliseLine } from '../normalise/line.ts';
import { createSigmaEngine, parseSigmaRules, type SigmaMatch } from '../sigma/index.ts';

export interface RuleTestResult {
  rules: Array<{ id: string; title: string; kind: string }>;
  events: number;
  rejected: Array<{ line: number; code: string; message: string }>;
  matches: Array<{ line: number; match: SigmaMatch }>;
}

/**
 * Evaluates a rule file alone over EVE lines, offline (`msec monitor rules test`): the same
 * normaliser and engine as the server, with time judged by the events' own clock.
 */
export function testRules(yaml: string, file: string, eveLines: string[]): RuleTestResult {
  const rules = parseSigmaRules(yaml, file);
  const engine = createSigmaEngine();
  engine.load(rules);
  const out: RuleTestResult = {
    rules: rules.map((r) => ({ id: r.id, title: r.title, kind: r.kind })),
    events: 0,
    rejected: [],
    matches: [],
  };
  eveLines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = normaliseLine('eve', line, { org: 'test', now: Date.now() });
    if (!r.ok) {
      out.rejected.push({ line: i + 1, ...r.reject });
      return;
    }
    out.events++;
    for (const match of engine.evaluate({
      id: String(i + 1),
      timeMs: r.event.timeMs,
      logsource: r.event.logsource,
      fields: r.event.doc,
    }))
      out.matches.push({ line: i + 1, match });
  });
  return out;
}
