import type { DesignDiagnosticCode } from '../errors.ts';
import type { KnowledgeBase } from '../kb/kb.ts';
import type { ThreatModel } from './model-types.ts';

export interface ModelProblem {
  code: DesignDiagnosticCode;
  message: string;
  path: (string | number)[];
}

const SECTIONS = [
  'actors',
  'assets',
  'components',
  'boundaries',
  'flows',
  'useCases',
  'misuseCases',
  'requirements',
  'controls',
] as const;
type Section = (typeof SECTIONS)[number];
const ENTRY_NAME: Record<Section, string> = {
  actors: 'an actor',
  assets: 'an asset',
  components: 'a component',
  boundaries: 'a boundary',
  flows: 'a flow',
  useCases: 'a use case',
  misuseCases: 'a misuse case',
  requirements: 'a requirement',
  controls: 'a control',
};

/**
 * Cross-reference checks the schema cannot express: unique ids, every reference resolving to an
 * element of the right kind, and the data-flow-diagram rule that a flow touches a process.
 */
export function checkModel(m: ThreatModel, kb: KnowledgeBase): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const kindOf = new Map<string, Section>();
  for (const section of SECTIONS) {
    m[section].forEach((item, i) => {
      const first = kindOf.get(item.id);
      if (first)
        problems.push({
          code: 'DESIGN_DUPLICATE_ID',
          message: `id "${item.id}" is already used in ${first}`,
          path: [section, i, 'id'],
        });
      else kindOf.set(item.id, section);
    });
  }
  const is = (id: string, ...sections: Section[]) => sections.includes(kindOf.get(id) as Section);
  const refs = (section: Section, field: string, code: DesignDiagnosticCode, what: string, allowed: Section[]) => {
    (m[section] as unknown as Record<string, unknown>[]).forEach((item, i) => {
      const value = item[field];
      const list = Array.isArray(value) ? (value as string[]) : value === undefined ? [] : [value as string];
      list.forEach((ref, j) => {
        if (is(ref, ...allowed)) return;
        const found = kindOf.get(ref);
        const why = found ? `is ${ENTRY_NAME[found]}, not ${what}` : `is not defined (expected ${what})`;
        problems.push({
          code,
          message: `${section}.${String(item.id)}: ${field} "${ref}" ${why}`,
          path: Array.isArray(value) ? [section, i, field, j] : [section, i, field],
        });
      });
    });
  };
  refs('boundaries', 'members', 'DESIGN_BOUNDARY_UNKNOWN_MEMBER', 'a component or actor', ['components', 'actors']);
  refs('assets', 'storedIn', 'DESIGN_ASSET_UNKNOWN_STORE', 'a component', ['components']);
  refs('flows', 'from', 'DESIGN_FLOW_UNKNOWN_ENDPOINT', 'a component or actor', ['components', 'actors']);
  refs('flows', 'to', 'DESIGN_FLOW_UNKNOWN_ENDPOINT', 'a component or actor', ['components', 'actors']);
  refs('flows', 'data', 'DESIGN_FLOW_UNKNOWN_ASSET', 'an asset', ['assets']);
  refs('useCases', 'actor', 'DESIGN_USECASE_UNKNOWN_ACTOR', 'an actor', ['actors']);
  refs('useCases', 'uses', 'DESIGN_USECASE_UNKNOWN_COMPONENT', 'a component', ['components']);
  refs('misuseCases', 'misuser', 'DESIGN_MISUSE_UNKNOWN_MISUSER', 'an actor', ['actors']);
  refs('misuseCases', 'threatens', 'DESIGN_MISUSE_UNKNOWN_TARGET', 'an asset, component, flow or use case', [
    'assets',
    'components',
    'flows',
    'useCases',
  ]);
  refs('misuseCases', 'mitigatedBy', 'DESIGN_MISUSE_UNKNOWN_CONTROL', 'a control', ['controls']);
  refs('requirements', 'concerns', 'DESIGN_REQUIREMENT_UNKNOWN_ELEMENT', 'a model element', [
    'actors',
    'assets',
    'components',
    'flows',
    'useCases',
    'misuseCases',
  ]);
  refs('requirements', 'satisfiedBy', 'DESIGN_REQUIREMENT_UNKNOWN_CONTROL', 'a control', ['controls']);
  refs('controls', 'implementedBy', 'DESIGN_CONTROL_UNKNOWN_COMPONENT', 'a component', ['components']);
  refs('controls', 'protects', 'DESIGN_CONTROL_UNKNOWN_ELEMENT', 'a component, flow, asset or actor', [
    'components',
    'flows',
    'assets',
    'actors',
  ]);

  const boundaryOf = new Map<string, string>();
  m.boundaries.forEach((b, i) =>
    b.members.forEach((member, j) => {
      const other = boundaryOf.get(member);
      if (other && other !== b.id)
        problems.push({
          code: 'DESIGN_BOUNDARY_OVERLAP',
          message: `"${member}" is already inside boundary "${other}"`,
          path: ['boundaries', i, 'members', j],
        });
      else boundaryOf.set(member, b.id);
    }),
  );
  const components = new Map(m.components.map((c) => [c.id, c]));
  m.flows.forEach((f, i) => {
    if (f.from === f.to)
      problems.push({
        code: 'DESIGN_FLOW_SELF',
        message: `flow "${f.id}" goes from "${f.from}" to itself`,
        path: ['flows', i, 'to'],
      });
    else if (
      kindOf.has(f.from) &&
      kindOf.has(f.to) &&
      components.get(f.from)?.element !== 'process' &&
      components.get(f.to)?.element !== 'process'
    )
      problems.push({
        code: 'DESIGN_FLOW_NEEDS_PROCESS',
        message: `flow "${f.id}" joins "${f.from}" and "${f.to}" directly; one end of a data flow must be a process`,
        path: ['flows', i],
      });
  });
  m.misuseCases.forEach((mc, i) =>
    mc.kb.forEach((id, j) => {
      if (kb.get(id)?.category !== 'problem')
        problems.push({
          code: 'DESIGN_UNKNOWN_KB_ENTRY',
          message: `misuse case "${mc.id}" cites ${id}, which is not in the knowledge base (see msec design kb search)`,
          path: ['misuseCases', i, 'kb', j],
        });
    }),
  );
  m.controls.forEach((c, i) => {
    const cm = kb.get(c.countermeasure);
    if (cm?.category !== 'solution' || cm.type !== 'instance')
      problems.push({
        code: 'DESIGN_CONTROL_UNKNOWN_COUNTERMEASURE',
        message: `control "${c.id}": ${c.countermeasure} is not a countermeasure in the knowledge base`,
        path: ['controls', i, 'countermeasure'],
      });
  });
  return problems;
}
