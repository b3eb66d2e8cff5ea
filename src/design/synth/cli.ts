import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import { Evaluator } from './evaluate.ts';
import { readLtsText, writeDot, writeLtsText } from './lts-text.ts';
import { underPrefix, type Lts } from './lts.ts';
import { parseNodeMap } from './nodered-map.ts';
import { translateToNodeRed } from './nodered.ts';
import { parseFsp } from './parser.ts';

/** Where the command writes (the CLI's io, structurally; design does not import the CLI). */
export interface SynthIo {
  out(line: string): void;
  err(line: string): void;
}

export interface SynthOptions {
  controller?: string;
  process?: string;
  nodered?: string;
  output?: string;
  dot?: string;
  lts?: string;
  maxStates?: number;
  progress?: boolean;
  list?: boolean;
}

function positiveInt(v: string): number {
  if (!/^\d{1,10}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(v);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new MsecError('VALIDATION_FAILED', `cannot read the ${what} ${path}`);
  }
}

/** Registers `design synth` on the `design` command. */
export function registerSynthCommands(design: Command, io: SynthIo): void {
  design
    .command('synth')
    .description('synthesise a controller from an FSP/MTSA specification (or read an MTSA controller) and export it')
    .argument('<spec>', 'FSP specification (.lts) or an MTSA controller output (Process:/States:/Transitions:)')
    .option('--controller <name>', 'the `controller ||NAME` to synthesise (default: the only one)')
    .option('--process <name>', 'compose this process or composite instead (no synthesis)')
    .option('--nodered <map>', 'translate to a Node-RED flow with this action → node map (JSON or YAML)')
    .option('-o, --output <file>', 'where to write flows.json (default: standard output)')
    .option('--dot <file>', 'write the controller as Graphviz DOT')
    .option('--lts <file>', "write the controller in MTSA's textual LTS form")
    .option('--max-states <n>', 'state limit for every LTS built (default 2000000)', positiveInt)
    .option('--progress', 'report composition progress on stderr (default: when stderr is a terminal)')
    .option('--list', 'list the processes, composites and controllers of the specification')
    .action((spec: string, o: SynthOptions) => runSynth(spec, o, io));
}

export function runSynth(specPath: string, o: SynthOptions, io: SynthIo): void {
  const text = readText(specPath, 'specification');
  const started = performance.now();
  let ctrl: Lts;
  let controllable: ((a: string) => boolean) | undefined;
  let summary: string;
  const progress = o.progress || process.stderr.isTTY ? (n: number) => io.err(`… ${n} states`) : undefined;
  if (/^\s*Process:/.test(text)) {
    const read = readLtsText(text, specPath, o.maxStates);
    ctrl = read.lts;
    summary = `read controller ${read.name}: ${ctrl.nStates} states, ${ctrl.labels.length} transitions`;
  } else {
    const ev = new Evaluator(parseFsp(text, specPath), {
      ...(o.maxStates ? { maxStates: o.maxStates } : {}),
      ...(progress ? { onProgress: progress } : {}),
    });
    if (o.list) {
      for (const t of ev.targets()) io.out(`${t.kind}\t${t.name}`);
      return;
    }
    const name = o.process ?? o.controller ?? onlyController(ev);
    ctrl = ev.lts(name);
    const synth = ev.syntheses.get(name);
    if (synth) {
      controllable = (a) => synth.goal.controllable.some((c) => underPrefix(a, c));
      summary = `controller ${name}: ${ctrl.nStates} states, ${ctrl.labels.length} transitions (plant ${synth.plant.nStates} states, ${synth.supervisor.iterations} fixed-point rounds)`;
    } else summary = `${name}: ${ctrl.nStates} states, ${ctrl.labels.length} transitions`;
    for (const w of ev.warnings.slice(0, 5)) io.err(`warning: ${w}`);
    if (ev.warnings.length > 5) io.err(`warning: … and ${ev.warnings.length - 5} more`);
  }
  io.err(`${summary}, in ${Math.round(performance.now() - started)} ms`);
  if (o.lts) writeFileSync(o.lts, writeLtsText(ctrl));
  if (o.dot) writeFileSync(o.dot, writeDot(ctrl, controllable));
  if (o.nodered) {
    const map = parseNodeMap(readText(o.nodered, 'node map'), o.nodered);
    const flow = translateToNodeRed(ctrl, map, controllable ? { controllable } : {});
    const json = JSON.stringify(flow, null, 2) + '\n';
    if (o.output) writeFileSync(o.output, json);
    else io.out(json.trimEnd());
    io.err(`Node-RED flow: ${flow.length} nodes${o.output ? ` written to ${o.output}` : ''}`);
  } else if (o.output)
    throw new MsecError('VALIDATION_FAILED', '-o/--output is for the Node-RED flow: pass --nodered MAP too');
  else if (!o.lts && !o.dot) io.out(writeLtsText(ctrl).trimEnd());
}

function onlyController(ev: Evaluator): string {
  const ctrls = ev.targets().filter((t) => t.kind === 'controller');
  if (ctrls.length === 1) return ctrls[0]!.name;
  if (!ctrls.length)
    throw new MsecError(
      'VALIDATION_FAILED',
      `no "controller ||NAME = Plant~{Spec}." in the specification; pass --process NAME to compose a process`,
    );
  throw new MsecError(
    'VALIDATION_FAILED',
    `several controllers (${ctrls.map((c) => c.name).join(', ')}): pick one with --controller NAME`,
  );
}
