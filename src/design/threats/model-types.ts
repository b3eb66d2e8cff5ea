import type { DesignDiagnosticCode } from '../errors.ts';
import type { Classification, ComponentTag, StrideLetter } from '../kb/vocabulary.ts';

/** A threat model as written in MODEL.yaml (after schema validation; defaults filled in). */
export interface ThreatModel {
  model: string;
  title?: string;
  description?: string;
  actors: Actor[];
  assets: Asset[];
  components: Component[];
  boundaries: Boundary[];
  flows: Flow[];
  useCases: UseCase[];
  misuseCases: MisuseCase[];
  requirements: Requirement[];
  controls: Control[];
}

export interface Actor {
  id: string;
  name: string;
  role: 'user' | 'misuser';
  description?: string;
}
export interface Asset {
  id: string;
  name: string;
  classification: Classification;
  storedIn: string[];
  description?: string;
}
export interface Component {
  id: string;
  name: string;
  /** `msec` components name the msec module (src/MODULE) that implements them. */
  kind: 'msec' | 'external';
  module?: string;
  element: 'process' | 'datastore';
  tags: ComponentTag[];
  description?: string;
}
export interface Boundary {
  id: string;
  name: string;
  members: string[];
}
export interface Flow {
  id: string;
  name?: string;
  from: string;
  to: string;
  protocol: string;
  data: string[];
}
export interface UseCase {
  id: string;
  name: string;
  actor: string;
  uses: string[];
}
export interface MisuseCase {
  id: string;
  name: string;
  misuser: string;
  threatens: string[];
  mitigatedBy: string[];
  /** Knowledge-base entries (CAPEC-…, CWE-…) this misuse case instantiates. */
  kb: string[];
  description?: string;
}
export interface Requirement {
  id: string;
  text: string;
  stride: StrideLetter[];
  concerns: string[];
  satisfiedBy: string[];
}
export interface Control {
  id: string;
  name: string;
  /** Knowledge-base countermeasure (CM-…) this control is an instance of. */
  countermeasure: string;
  implementedBy: string;
  /** Elements it protects; absent: the implementing component and every flow to or from it. */
  protects?: string[];
}

/** One problem found in a model file, pointing at the line it concerns. */
export interface Diagnostic {
  code: DesignDiagnosticCode;
  message: string;
  file: string;
  line: number;
  column: number;
  /** Where in the document: keys and indexes from the root. */
  path: (string | number)[];
}

export const formatDiagnostic = (d: Diagnostic): string => `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}`;
