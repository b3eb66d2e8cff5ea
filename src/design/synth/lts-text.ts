import { fspError } from './errors.ts';
import { Evaluator } from './evaluate.ts';
import type { ProcessDef } from './ast.ts';
import { ERROR_STATE, displayAction, fromEdges, type Lts } from './lts.ts';
import { parseFsp } from './parser.ts';

export interface ReadLts {
  /** The name in the `Process:` header (or of the first process). */
  name: string;
  /** The `States:` count of the header, when present. */
  declaredStates: number | null;
  lts: Lts;
  evaluator: Evaluator;
}

const HEADER = /^\s*Process:\s*\n\s*(\S+)\s*\n\s*States:\s*\n\s*(\d+)\s*\n\s*Transitions:\s*\n/;

/**
 * Reads MTSA's textual LTS form (`Process: … States: N Transitions: P = Q0, Q0 = (a -> Q1 | …), …`),
 * as MTSA prints synthesised controllers. The transitions are FSP local processes, so the FSP
 * parser reads them; line numbers in errors stay those of the file.
 */
export function readLtsText(src: string, file?: string, maxStates?: number): ReadLts {
  const m = HEADER.exec(src);
  const body = m ? '\n'.repeat(m[0].split('\n').length - 1) + src.slice(m[0].length) : src;
  const spec = parseFsp(body, file);
  const first = spec.decls.find((d) => d.kind === 'process');
  if (!first) throw fspError('SYNTAX', 'no process in the LTS text', undefined, file);
  const evaluator = new Evaluator(spec, maxStates ? { maxStates } : {});
  const lts = (first.kind === 'process' && numberedStates(evaluator, first)) || evaluator.lts(first.name);
  return {
    name: m ? m[1]! : first.name,
    declaredStates: m ? Number(m[2]) : null,
    lts: { ...lts, name: m ? m[1]! : first.name },
    evaluator,
  };
}

/**
 * MTSA's outputs name their states Q0…Qn-1: read those directly so state Qk stays state k (the
 * Node-RED flow and DOT then use MTSA's numbers). Anything else goes through the general compiler.
 */
function numberedStates(ev: Evaluator, def: ProcessDef): Lts | null {
  const [head, ...locals] = def.locals;
  if (!head || head.body.k !== 'ref' || head.body.name !== 'Q0' || def.alphaExt || def.relabel || def.hide) return null;
  const n = locals.length;
  if (!locals.every((l, i) => l.name === `Q${i}` && !l.binders.length)) return null;
  const src: number[] = [];
  const lab: number[] = [];
  const dst: number[] = [];
  for (let s = 0; s < n; s++) {
    const body = locals[s]!.body;
    if (body.k === 'stop') continue;
    if (body.k !== 'choice') return null;
    for (const alt of body.alts) {
      if (alt.k !== 'prefix' || alt.guard || alt.chain.length !== 1 || alt.chain[0]!.maybe) return null;
      const t = alt.target;
      const to =
        t.k === 'error'
          ? ERROR_STATE
          : t.k === 'ref' && !t.idx.length && !t.args && /^Q\d+$/.test(t.name)
            ? Number(t.name.slice(1))
            : -2;
      if (to === -2 || to >= n) return null;
      for (const a of ev.scope.actSet(alt.chain[0]!.set, new Map())) {
        src.push(s);
        lab.push(ev.actions.id(a));
        dst.push(to);
      }
    }
  }
  return fromEdges(def.name, ev.actions, n, Int32Array.from(src), Int32Array.from(lab), Int32Array.from(dst));
}

/** Writes an LTS in MTSA's textual form; actions to the same target are grouped as `{a, b}`. */
export function writeLtsText(lts: Lts, name = lts.name): string {
  const q = (t: number) => (t === ERROR_STATE ? 'ERROR' : `Q${t}`);
  const lines = ['Process:', `\t${name}`, 'States:', `\t${lts.nStates}`, 'Transitions:', `\t${name} = Q0,`];
  for (let s = 0; s < lts.nStates; s++) {
    const byTarget = new Map<number, string[]>();
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      const t = lts.targets[e]!;
      const g = byTarget.get(t) ?? [];
      g.push(displayAction(lts.actions.name(lts.labels[e]!)));
      byTarget.set(t, g);
    }
    const end = s === lts.nStates - 1 ? '.' : ',';
    if (!byTarget.size) {
      lines.push(`\tQ${s}\t= STOP${end}`);
      continue;
    }
    const alts = [...byTarget].map(([t, acts]) => `${acts.length === 1 ? acts[0] : `{${acts.join(', ')}}`} -> ${q(t)}`);
    lines.push(`\tQ${s}\t= (${alts.join('\n\t\t  |')})${end}`);
  }
  return lines.join('\n') + '\n';
}

function dotId(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz DOT; with `controllable`, uncontrollable transitions are dashed. */
export function writeDot(lts: Lts, controllable?: (action: string) => boolean): string {
  const out = [`digraph ${dotId(lts.name)} {`, '  rankdir=LR;', '  node [shape=circle];', '  Q0 [style=bold];'];
  let hasError = false;
  for (let s = 0; s < lts.nStates; s++)
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      const t = lts.targets[e]!;
      hasError ||= t === ERROR_STATE;
      const a = lts.actions.name(lts.labels[e]!);
      const style = controllable && !controllable(a) ? ', style=dashed' : '';
      out.push(`  Q${s} -> ${t === ERROR_STATE ? 'ERROR' : `Q${t}`} [label=${dotId(displayAction(a))}${style}];`);
    }
  if (hasError) out.splice(4, 0, '  ERROR [shape=box, color=red];');
  out.push('}');
  return out.join('\n') + '\n';
}
