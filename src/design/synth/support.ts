import type { Decl, FspSpec } from './ast.ts';
import { Evaluator } from './evaluate.ts';
import { parseFsp } from './parser.ts';

export interface SupportReport {
  file: string;
  built: { name: string; kind: string; states: number }[];
  refused: { name: string; code: string; reason: string }[];
  notEvaluated: string[];
}

/** Constructs that parse but that evaluation does not interpret (listed per file in the docs). */
function parsedOnly(spec: FspSpec): string[] {
  const found = new Set<string>();
  const add = (d: Decl) => {
    if (d.kind === 'assert') found.add('assert (except inside ltl_property/constraint)');
    if (d.kind === 'menu' || d.kind === 'progress') found.add(d.kind);
    if (d.kind === 'updatingController') found.add('updatingController');
    if (d.kind === 'composite' && !['plain', 'controller', 'compose'].includes(d.compKind)) found.add(d.compKind);
    if (d.kind === 'controllerSpec')
      for (const e of d.entries)
        if (['liveness', 'assumption', 'failure'].includes(e.key)) found.add(`controllerSpec ${e.key} (GR(1))`);
  };
  spec.decls.forEach(add);
  return [...found].sort();
}

/** Builds every process, composite and controller of a file and records what works and what is refused. */
export function supportReport(file: string, text: string, maxStates: number): SupportReport {
  const spec = parseFsp(text, file);
  const ev = new Evaluator(spec, { maxStates });
  const report: SupportReport = { file, built: [], refused: [], notEvaluated: parsedOnly(spec) };
  for (const t of ev.targets()) {
    try {
      report.built.push({ name: t.name, kind: t.kind, states: ev.lts(t.name).nStates });
    } catch (err) {
      const e = err as { code?: string; message: string };
      report.refused.push({
        name: t.name,
        code: e.code ?? 'ERROR',
        reason: e.message.replace(/^[^:]+:\d+:\d+: /, '').replace(/^[^ ]+\.lts: /, ''),
      });
    }
  }
  return report;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The Markdown table of docs/design-synth.md. */
export function supportTable(reports: SupportReport[]): string {
  const rows = [
    '| file | built (states) | synthesised controllers | refused at evaluation | parsed, not evaluated |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of reports) {
    const built = r.built.filter((b) => b.kind !== 'controller').map((b) => `${b.name} (${b.states})`);
    const ctrls = r.built.filter((b) => b.kind === 'controller').map((b) => `${b.name} (${b.states})`);
    const reasons = new Map<string, string[]>();
    for (const x of r.refused) {
      const k = `${x.code}: ${x.reason.length > 110 ? x.reason.slice(0, 107) + '…' : x.reason}`;
      reasons.set(k, [...(reasons.get(k) ?? []), x.name]);
    }
    const refused = [...reasons].map(([k, names]) => `${names.join(', ')} — ${k}`);
    rows.push(
      `| ${cell(r.file)} | ${cell(built.join(', ') || '—')} | ${cell(ctrls.join(', ') || '—')} | ${cell(refused.join('; ') || '—')} | ${cell(r.notEvaluated.join(', ') || '—')} |`,
    );
  }
  return rows.join('\n');
}
