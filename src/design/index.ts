// Controller synthesis from FSP / MTSA specifications, with Graphviz and Node-RED export.
export { parseFsp } from './synth/parser.ts';
export { Evaluator, type EvalOptions } from './synth/evaluate.ts';
export { synthesise, type Supervisor, type SynthesisInput } from './synth/synthesis.ts';
export { compose } from './synth/compose.ts';
export { ActionTable, ERROR_STATE, TAU, type Lts } from './synth/lts.ts';
export { readLtsText, writeDot, writeLtsText } from './synth/lts-text.ts';
export { parseNodeMap, type NodeMap } from './synth/nodered-map.ts';
export { translateToNodeRed, validateFlow, type FlowNode } from './synth/nodered.ts';
export { registerSynthCommands, runSynth, type SynthOptions } from './synth/cli.ts';
