import type { SourcePos } from './errors.ts';

/** Integer or label expressions (indices, guards, constants). */
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'label'; v: string }
  | { k: 'name'; name: string; pos: SourcePos }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'un'; op: string; e: Expr };

/** What an index binder or `forall` ranges over: `lo..hi`, a range or set name, or a set literal. */
export type Domain =
  { k: 'range'; lo: Expr; hi: Expr } | { k: 'name'; name: string; pos: SourcePos } | { k: 'set'; set: Label };

/** One step of an action label: `a`, `.b`, `[e]`, `[lo..hi]`, `[i:D]`, `{set}`, or a set name. */
export type LabelPart =
  | { k: 'id'; name: string }
  | { k: 'idx'; e: Expr }
  | { k: 'dom'; dom: Domain }
  | { k: 'bind'; v: string; dom: Domain }
  | { k: 'set'; items: ActSet[] }
  | { k: 'setname'; name: string; pos: SourcePos };

export interface Label {
  parts: LabelPart[];
  pos: SourcePos;
}

/** A label, or `A \ B` (set difference). */
export type ActSet = { k: 'label'; label: Label } | { k: 'diff'; l: ActSet; r: ActSet; pos: SourcePos };

export type Local =
  | { k: 'stop' | 'error' | 'end'; pos: SourcePos }
  | { k: 'ref'; name: string; idx: Expr[]; args: Expr[] | null; pos: SourcePos }
  | { k: 'choice'; alts: Alt[]; pos: SourcePos }
  | { k: 'if'; cond: Expr; then: Local; else: Local | null; pos: SourcePos }
  | { k: 'seq'; procs: { name: string; args: Expr[] | null; pos: SourcePos }[]; last: Local; pos: SourcePos };

export type Alt =
  | { k: 'prefix'; guard: Expr | null; chain: { set: ActSet; maybe: boolean }[]; target: Local; pos: SourcePos }
  | { k: 'foreach'; v: string; dom: Domain; alts: Alt[]; pos: SourcePos };

export interface LocalDef {
  name: string;
  binders: { v: string; dom: Domain }[];
  body: Local;
  pos: SourcePos;
}

export interface Param {
  name: string;
  def: Expr;
}

export type RelabelItem =
  | { k: 'pair'; to: ActSet; from: ActSet; pos: SourcePos }
  | { k: 'forall'; v: string; dom: Domain; items: RelabelItem[] };

/** Operators after a process body: `+{…}`, `/{…}`, `>>{…}`/`<<{…}`, `\{…}` or `@{…}`. */
export interface ProcessOps {
  alphaExt: ActSet | null;
  relabel: RelabelItem[] | null;
  priority: { high: boolean; set: ActSet } | null;
  hide: { iface: boolean; set: ActSet } | null;
}

export interface Modifiers {
  property: boolean;
  deterministic: boolean;
  minimal: boolean;
}

export interface ProcessDef extends ProcessOps, Modifiers {
  kind: 'process';
  name: string;
  params: Param[];
  locals: LocalDef[];
  pos: SourcePos;
}

export type CompExpr =
  | { k: 'par'; items: CompExpr[]; pos: SourcePos }
  | { k: 'ref'; name: string; args: Expr[] | null; pos: SourcePos }
  | { k: 'forall'; v: string; dom: Domain; body: CompExpr; pos: SourcePos }
  | { k: 'prefix'; labels: ActSet; body: CompExpr; pos: SourcePos }
  | { k: 'share'; labels: ActSet; body: CompExpr; pos: SourcePos }
  | { k: 'ops'; body: CompExpr; ops: ProcessOps; pos: SourcePos }
  | { k: 'control'; plant: CompExpr; goal: string; pos: SourcePos }
  | { k: 'if'; cond: Expr; then: CompExpr; else: CompExpr | null; pos: SourcePos };

export type CompositeKind = 'plain' | 'controller' | 'heuristic' | 'checkCompatibility' | 'starenv' | 'compose';

export interface CompositeDef extends Modifiers {
  kind: 'composite';
  compKind: CompositeKind;
  name: string;
  params: Param[];
  body: CompExpr;
  pos: SourcePos;
}

export type Fltl =
  | { k: 'atom'; name: string; idx: Expr[]; pos: SourcePos }
  | { k: 'bool'; v: boolean }
  | { k: 'not' | 'always' | 'eventually' | 'next'; e: Fltl }
  | { k: 'bin'; op: string; l: Fltl; r: Fltl }
  | { k: 'quant'; q: 'exists' | 'forall'; v: string; dom: Domain; e: Fltl };

export type Decl =
  | ProcessDef
  | CompositeDef
  | { kind: 'const'; name: string; e: Expr; pos: SourcePos }
  | { kind: 'range'; name: string; lo: Expr; hi: Expr; pos: SourcePos }
  | { kind: 'set'; name: string; set: ActSet; pos: SourcePos }
  | {
      kind: 'menu' | 'progress';
      name: string;
      binders: { v: string; dom: Domain }[];
      set: ActSet | null;
      pos: SourcePos;
    }
  | {
      kind: 'fluent';
      name: string;
      binders: { v: string; dom: Domain }[];
      on: ActSet;
      off: ActSet;
      initially: Expr | null;
      pos: SourcePos;
    }
  | {
      kind: 'assert' | 'ltl_property' | 'constraint';
      name: string;
      binders: { v: string; dom: Domain }[];
      f: Fltl;
      pos: SourcePos;
    }
  | { kind: 'controllerSpec'; name: string; entries: SpecEntry[]; pos: SourcePos }
  | { kind: 'updatingController'; name: string; entries: SpecEntry[]; pos: SourcePos };

/** `key = {…}` or `key = Name` or a bare flag such as `nonblocking`. */
export interface SpecEntry {
  key: string;
  value: ActSet | null;
  pos: SourcePos;
}

export interface FspSpec {
  file: string | undefined;
  decls: Decl[];
}
