import type {
  Alt,
  CompExpr,
  Expr,
  Local,
  LocalDef,
  Modifiers,
  Param,
  ProcessDef,
  ProcessOps,
  RelabelItem,
  CompositeDef,
  CompositeKind,
} from './ast.ts';
import { Cursor } from './parser-core.ts';

/** `(N=3, T='any)` after a definition name. */
export function params(c: Cursor): Param[] {
  const out: Param[] = [];
  if (!c.accept('(')) return out;
  do {
    const name = c.ident('a parameter name').text;
    c.expect('=');
    out.push({ name, def: c.expr() });
  } while (c.accept(','));
  c.expect(')');
  return out;
}

function args(c: Cursor): Expr[] | null {
  if (!c.isOp('(')) return null;
  c.i++;
  const out: Expr[] = [];
  if (!c.isOp(')')) {
    do out.push(c.expr());
    while (c.accept(','));
  }
  c.expect(')');
  return out;
}

function indices(c: Cursor): Expr[] {
  const out: Expr[] = [];
  while (c.isOp('[')) {
    c.i++;
    out.push(c.expr());
    c.expect(']');
  }
  return out;
}

function local(c: Cursor): Local {
  const pos = c.pos();
  if (c.accept('(')) {
    const alts = choice(c);
    c.expect(')', '")" or "|"');
    return { k: 'choice', alts, pos };
  }
  if (c.accept('if')) {
    const cond = c.expr();
    c.expect('then');
    const then = local(c);
    return { k: 'if', cond, then, else: c.accept('else') ? local(c) : null, pos };
  }
  if (c.accept('STOP')) return { k: 'stop', pos };
  if (c.accept('ERROR')) return { k: 'error', pos };
  if (c.accept('END')) return { k: 'end', pos };
  const name = c.ident('a process').text;
  if (!/^[A-Z]/.test(name)) c.fail(`a process name starts with an upper-case letter: "${name}"`, pos);
  const idx = indices(c);
  const a = args(c);
  const ref: Local = { k: 'ref', name, idx, args: a, pos };
  if (!c.isOp(';')) return ref;
  const procs: { name: string; args: Expr[] | null; pos: typeof pos }[] = [{ name, args: a, pos }];
  if (idx.length) c.fail('a sequential composition names whole processes, not indexed local states', pos);
  let last: Local = ref;
  while (c.accept(';')) {
    last = local(c);
    if (c.isOp(';')) {
      if (last.k !== 'ref') c.fail('expected a process in a sequential composition');
      procs.push({ name: last.name, args: last.args, pos: last.pos });
    }
  }
  return { k: 'seq', procs, last, pos };
}

function choice(c: Cursor): Alt[] {
  const alts: Alt[] = [];
  do {
    const pos = c.pos();
    if (c.accept('foreach')) {
      c.expect('[');
      const v = c.ident().text;
      c.expect(':');
      const dom = c.domain();
      c.expect(']');
      // foreach scopes over the rest of the choice.
      alts.push({ k: 'foreach', v, dom, alts: choice(c), pos });
      return alts;
    }
    const guard = c.accept('when') ? c.expr() : null;
    const chain: { set: ReturnType<Cursor['actSet']>; maybe: boolean }[] = [];
    let target: Local | null = null;
    while (!target) {
      if (!c.startsLabel()) c.fail(`expected an action but found ${c.describe()}`);
      const set = c.actSet();
      const maybe = c.accept('?');
      c.expect('->', '"->"');
      chain.push({ set, maybe });
      // Another action follows when the next token starts a label that is followed, at its end, by "->".
      if (!startsActionAgain(c)) target = local(c);
    }
    alts.push({ k: 'prefix', guard, chain, target, pos });
  } while (c.accept('|'));
  return alts;
}

/** After `a ->`: is the next thing another action (lower-case, `{`, `[`, a set name followed by `->`)? */
function startsActionAgain(c: Cursor): boolean {
  const t = c.t;
  if (t.kind === 'op') return t.text === '{' || t.text === '[';
  if (t.kind !== 'ident') return false;
  if (/^[a-z_]/.test(t.text)) return !['if'].includes(t.text);
  if (['STOP', 'ERROR', 'END'].includes(t.text)) return false;
  // An upper-case name is a set of actions when a label continues to "->"; else a process.
  const save = c.i;
  try {
    c.actSet();
    c.accept('?');
    return c.isOp('->');
  } catch {
    return false;
  } finally {
    c.i = save;
  }
}

function relabels(c: Cursor): RelabelItem[] {
  c.expect('{');
  const items: RelabelItem[] = [];
  while (!c.isOp('}')) {
    if (c.accept('forall')) {
      c.expect('[');
      const v = c.ident().text;
      c.expect(':');
      const dom = c.domain();
      c.expect(']');
      items.push({ k: 'forall', v, dom, items: relabels(c) });
    } else {
      const pos = c.pos();
      const to = c.actSet();
      c.expect('/', '"/" in a relabelling');
      items.push({ k: 'pair', to, from: c.actSet(), pos });
    }
    if (!c.accept(',')) break;
  }
  c.expect('}', '"}" or ","');
  return items;
}

export function processOps(c: Cursor, composite: boolean): ProcessOps {
  const ops: ProcessOps = { alphaExt: null, relabel: null, priority: null, hide: null };
  for (;;) {
    if (!composite && c.isOp('+') && !ops.alphaExt) {
      c.i++;
      ops.alphaExt = { k: 'label', label: c.label() };
    } else if (c.isOp('/') && !ops.relabel) {
      c.i++;
      ops.relabel = relabels(c);
    } else if ((c.isOp('>>') || c.isOp('<<')) && !ops.priority) {
      // LTSA: `<<{…}` gives the set high priority, `>>{…}` low.
      const high = c.t.text === '<<';
      c.i++;
      ops.priority = { high, set: { k: 'label', label: c.label() } };
    } else if ((c.isOp('\\') || c.isOp('@')) && !ops.hide) {
      const iface = c.t.text === '@';
      c.i++;
      ops.hide = { iface, set: { k: 'label', label: c.label() } };
    } else return ops;
  }
}

export function processDef(c: Cursor, mods: Modifiers): ProcessDef {
  const pos = c.pos();
  const name = c.ident('a process name').text;
  const ps = params(c);
  c.expect('=');
  const locals: LocalDef[] = [{ name, binders: [], body: local(c), pos }];
  while (c.accept(',')) {
    const lpos = c.pos();
    const lname = c.ident('a local process name').text;
    const binders = c.binders();
    c.expect('=');
    locals.push({ name: lname, binders, body: local(c), pos: lpos });
  }
  const ops = processOps(c, false);
  c.expect('.', '"." at the end of the process');
  return { kind: 'process', name, params: ps, locals, pos, ...mods, ...ops };
}

// ---- composites ----
function compTerm(c: Cursor): CompExpr {
  const pos = c.pos();
  if (c.accept('forall')) {
    c.expect('[');
    const v = c.ident().text;
    c.expect(':');
    const dom = c.domain();
    c.expect(']');
    return { k: 'forall', v, dom, body: compTerm(c), pos };
  }
  const nx = c.peek();
  const labelNext =
    [':', '::', '['].includes(nx.text) ||
    (nx.text === '.' && !c.peek(2).spaced && (c.peek(2).kind === 'ident' || ['{', '['].includes(c.peek(2).text)));
  const upperRef = c.t.kind === 'ident' && /^[A-Z]/.test(c.t.text) && !labelNext;
  if (c.startsLabel() && !upperRef && !(c.t.kind === 'ident' && /^[A-Z]/.test(c.t.text) && c.peek().text === '(')) {
    const labels = c.actSet();
    if (c.accept('::')) return { k: 'share', labels, body: compTerm(c), pos };
    c.expect(':', '":" or "::" after a label');
    return { k: 'prefix', labels, body: compTerm(c), pos };
  }
  let body: CompExpr;
  if (c.accept('(')) {
    body = compPar(c);
    c.expect(')', '")" or "||"');
  } else {
    const name = c.ident('a process').text;
    body = { k: 'ref', name, args: args(c), pos };
  }
  if (c.isOp('~')) {
    c.i++;
    c.expect('{');
    const goal = c.ident('a controllerSpec name').text;
    c.expect('}');
    body = { k: 'control', plant: body, goal, pos };
  }
  const ops = processOps(c, true);
  return ops.relabel || ops.hide || ops.priority ? { k: 'ops', body, ops, pos } : body;
}

function compPar(c: Cursor): CompExpr {
  const pos = c.pos();
  const items = [compTerm(c)];
  while (c.accept('||')) items.push(compTerm(c));
  return items.length === 1 ? items[0]! : { k: 'par', items, pos };
}

export function compositeDef(c: Cursor, mods: Modifiers, compKind: CompositeKind): CompositeDef {
  const pos = c.pos();
  c.expect('||');
  const name = c.ident('a composite name').text;
  const ps = params(c);
  c.expect('=');
  const body = compPar(c);
  c.expect('.', '"." at the end of the composition');
  return { kind: 'composite', compKind, name, params: ps, body, pos, ...mods };
}
