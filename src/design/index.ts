/** The design tools' face: threat modelling and the security knowledge base. */
export {
  DESIGN_ERROR_CODES,
  DESIGN_DIAGNOSTIC_CODES,
  type DesignErrorCode,
  type DesignDiagnosticCode,
} from './errors.ts';
export { loadKb, searchKb, type KnowledgeBase, type SearchHit } from './kb/kb.ts';
export type { KbEntry, MatchClause } from './kb/types.ts';
export { parseModel, MAX_MODEL_BYTES, type ParseResult } from './threats/parse-model.ts';
export { loadModelFile } from './threats/load-model.ts';
export { formatDiagnostic, type ThreatModel, type Diagnostic } from './threats/model-types.ts';
export {
  analyze,
  openAtLeast,
  type Analysis,
  type Threat,
  type MisuseResult,
  type RequirementResult,
} from './threats/analyze.ts';
export { rate, RISK_LEVELS, type RiskLevel, type Rating } from './threats/risk.ts';
export { writeReport, REPORT_FORMATS, type ReportFormat } from './threats/write-report.ts';
export { renderMarkdown } from './threats/report-md.ts';
export { renderHtml } from './threats/report-html.ts';
export { toJsonReport } from './threats/report-json.ts';
export { renderDfd } from './threats/svg-dfd.ts';
export { renderMisuse } from './threats/svg-misuse.ts';
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
