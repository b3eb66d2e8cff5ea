import type { KnowledgeBase } from '../kb/kb.ts';
import type { KbEntry } from '../kb/types.ts';
import type { StrideLetter } from '../kb/vocabulary.ts';
import { clauseMatches, dfdElements, type DfdElement } from './elements.ts';
import type { Control, ThreatModel } from './model-types.ts';
import { atLeast, rate, RISK_LEVELS, worstData, type Rating, type RiskLevel } from './risk.ts';

export interface ControlRef {
  id: string;
  name: string;
  countermeasure: string;
  implementedBy: string;
  module?: string;
}
export interface Suggestion {
  countermeasure: string;
  name: string;
  module?: string;
  capability?: string;
}

export interface Threat {
  /** `ELEMENT:KB-ID`, stable across runs. */
  id: string;
  element: string;
  elementKind: DfdElement['kind'];
  kbId: string;
  title: string;
  /** `kb`: a CAPEC/CWE entry matched the element; `stride`: the generic category, where nothing matched. */
  source: 'kb' | 'stride';
  stride: StrideLetter[];
  rating: Rating;
  status: 'mitigated' | 'open';
  mitigatedBy: ControlRef[];
  /** For open threats: the countermeasures that would address it (msec ones first). */
  suggestions: Suggestion[];
  misuseCases: string[];
}

export interface MisuseResult {
  id: string;
  name: string;
  status: 'mitigated' | 'open';
  kb: { id: string; name: string; addressedBy: string[] }[];
  /** Threats in this model that instantiate the cited entries on what the misuse case threatens. */
  threats: string[];
  reasons: string[];
  /** Where no entry is cited: the knowledge entries matched on its targets, worst first (at most 5). */
  suggestedKb: string[];
}
export interface RequirementResult {
  id: string;
  text: string;
  satisfiedBy: string[];
  openThreats: string[];
  status: 'met' | 'at-risk' | 'unaddressed';
}
export interface StrideCell {
  element: string;
  letter: StrideLetter;
  status: 'mitigated' | 'open';
  threats: number;
}

export interface Analysis {
  model: ThreatModel;
  elements: DfdElement[];
  threats: Threat[];
  stride: StrideCell[];
  misuseCases: MisuseResult[];
  requirements: RequirementResult[];
  summary: { threats: number; open: number; mitigated: number; openByRisk: Record<RiskLevel, number> };
}

/**
 * The controls that cover an element: those listing it (or an asset it carries or stores) in `protects`;
 * a control without `protects` covers the component implementing it, the flows to and from that
 * component, and the actors that talk to it (authentication at a service covers its users).
 */
function coveringControls(m: ThreatModel, e: DfdElement): Control[] {
  const assetsHere = new Set([
    ...m.flows.filter((f) => f.id === e.id).flatMap((f) => f.data),
    ...m.assets.filter((a) => a.storedIn.includes(e.id)).map((a) => a.id),
  ]);
  return m.controls.filter((c) =>
    c.protects
      ? c.protects.includes(e.id) || c.protects.some((p) => assetsHere.has(p))
      : c.implementedBy === e.id || (e.ends ?? e.partners ?? []).includes(c.implementedBy),
  );
}

export function analyze(m: ThreatModel, kb: KnowledgeBase): Analysis {
  const elements = dfdElements(m, kb);
  const moduleOf = new Map(m.components.map((c) => [c.id, c.module]));
  const ref = (c: Control): ControlRef => ({
    id: c.id,
    name: c.name,
    countermeasure: c.countermeasure,
    implementedBy: c.implementedBy,
    ...(moduleOf.get(c.implementedBy) ? { module: moduleOf.get(c.implementedBy)! } : {}),
  });
  const suggest = (ids: string[]): Suggestion[] =>
    ids
      .map((id) => kb.get(id)!)
      .sort((a, b) => Number(!a.msec) - Number(!b.msec))
      .map((cm) => ({
        countermeasure: cm.id,
        name: cm.name,
        ...(cm.msec ? { module: cm.msec.module, capability: cm.msec.capability } : {}),
      }));

  const threats: Threat[] = [];
  const stride: StrideCell[] = [];
  const add = (
    e: DfdElement,
    entry: KbEntry,
    source: Threat['source'],
    letters: StrideLetter[],
    controls: Control[],
  ) => {
    const cms = entry.countermeasures ?? [];
    const mitigatedBy = controls.filter((c) => cms.includes(c.countermeasure)).map(ref);
    const threat: Threat = {
      id: `${e.id}:${entry.id}`,
      element: e.id,
      elementKind: e.kind,
      kbId: entry.id,
      title: source === 'kb' ? entry.name : `${entry.name} of ${e.name}`,
      source,
      stride: letters,
      rating: rate({
        likelihood: entry.likelihood ?? 'Medium',
        severity: entry.severity ?? 'Medium',
        exposed: e.crossesBoundary,
        data: worstData(e.data),
      }),
      status: mitigatedBy.length > 0 ? 'mitigated' : 'open',
      mitigatedBy,
      suggestions: mitigatedBy.length > 0 ? [] : suggest(cms),
      misuseCases: [],
    };
    threats.push(threat);
    return threat;
  };

  for (const e of elements) {
    const controls = coveringControls(m, e);
    const matched = kb.problems
      .filter((p) => p.match!.some((c) => clauseMatches(c, e)))
      .map((p) => add(e, p, 'kb', p.stride!, controls));
    // STRIDE per element: each category that applies to this kind of element, concretely or generically.
    for (const cat of kb.stride) {
      if (!cat.elements!.includes(e.kind)) continue;
      const letter = cat.id.slice(-1) as StrideLetter;
      let inCat = matched.filter((t) => t.stride.includes(letter));
      if (inCat.length === 0) inCat = [add(e, cat, 'stride', [letter], controls)];
      stride.push({
        element: e.id,
        letter,
        status: inCat.every((t) => t.status === 'mitigated') ? 'mitigated' : 'open',
        threats: inCat.length,
      });
    }
  }

  const misuseCases = m.misuseCases.map((mc): MisuseResult => {
    const targets = new Set(mc.threatens);
    for (const uc of m.useCases) if (targets.has(uc.id)) uc.uses.forEach((c) => targets.add(c));
    for (const a of m.assets)
      if (targets.has(a.id)) {
        a.storedIn.forEach((c) => targets.add(c));
        m.flows.filter((f) => f.data.includes(a.id)).forEach((f) => targets.add(f.id));
      }
    const controls = m.controls.filter((c) => mc.mitigatedBy.includes(c.id));
    const linked = threats.filter((t) => targets.has(t.element) && mc.kb.includes(t.kbId));
    linked.forEach((t) => t.misuseCases.push(mc.id));
    const kbResults = mc.kb.map((id) => {
      const entry = kb.get(id)!;
      return {
        id,
        name: entry.name,
        addressedBy: controls.filter((c) => entry.countermeasures!.includes(c.countermeasure)).map((c) => c.id),
      };
    });
    const reasons = [
      ...(controls.length === 0 ? ['no control is declared to mitigate it'] : []),
      ...kbResults
        .filter((k) => controls.length > 0 && k.addressedBy.length === 0)
        .map((k) => `none of its controls is a countermeasure to ${k.id}`),
    ];
    const suggestedKb =
      mc.kb.length > 0
        ? []
        : [
            ...new Set(
              threats
                .filter((t) => t.source === 'kb' && targets.has(t.element))
                .sort((x, y) => RISK_LEVELS.indexOf(y.rating.risk) - RISK_LEVELS.indexOf(x.rating.risk))
                .map((t) => t.kbId),
            ),
          ].slice(0, 5);
    return {
      id: mc.id,
      name: mc.name,
      status: reasons.length === 0 ? 'mitigated' : 'open',
      kb: kbResults,
      threats: linked.map((t) => t.id),
      reasons,
      suggestedKb,
    };
  });

  const requirements = m.requirements.map((r): RequirementResult => {
    const concerned = new Set(r.concerns);
    const openThreats = threats
      .filter(
        (t) =>
          t.status === 'open' &&
          concerned.has(t.element) &&
          (r.stride.length === 0 || t.stride.some((s) => r.stride.includes(s))),
      )
      .map((t) => t.id);
    const status = r.satisfiedBy.length === 0 ? 'unaddressed' : openThreats.length > 0 ? 'at-risk' : 'met';
    return { id: r.id, text: r.text, satisfiedBy: r.satisfiedBy, openThreats, status };
  });

  const open = threats.filter((t) => t.status === 'open');
  const openByRisk = Object.fromEntries(
    RISK_LEVELS.map((l) => [l, open.filter((t) => t.rating.risk === l).length]),
  ) as Record<RiskLevel, number>;
  return {
    model: m,
    elements,
    threats,
    stride,
    misuseCases,
    requirements,
    summary: { threats: threats.length, open: open.length, mitigated: threats.length - open.length, openByRisk },
  };
}

/** Open threats at or above a risk level (the CI gate of `--fail-on`). */
export const openAtLeast = (a: Analysis, level: RiskLevel): Threat[] =>
  a.threats.filter((t) => t.status === 'open' && atLeast(t.rating.risk, level));
