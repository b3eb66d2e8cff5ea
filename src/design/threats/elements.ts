import type { KnowledgeBase } from '../kb/kb.ts';
import type { MatchClause } from '../kb/types.ts';
import type { Classification, ComponentTag, ElementKind } from '../kb/vocabulary.ts';
import type { ThreatModel } from './model-types.ts';

/** A model element seen as a data-flow-diagram element, with what knowledge matching needs. */
export interface DfdElement {
  id: string;
  name: string;
  kind: ElementKind;
  tags: Set<ComponentTag>;
  data: Set<Classification>;
  /** Flows: crosses a trust boundary. Components: receive a flow that does. Actors: always (they are outside). */
  crossesBoundary: boolean;
  traits: Set<string>;
  /** For flows: its two ends. */
  ends?: [string, string];
  /** For actors: the components they exchange data with. */
  partners?: string[];
  boundary?: string;
}

export function dfdElements(m: ThreatModel, kb: KnowledgeBase): DfdElement[] {
  const boundaryOf = new Map(m.boundaries.flatMap((b) => b.members.map((id) => [id, b.id] as const)));
  const classOf = new Map(m.assets.map((a) => [a.id, a.classification]));
  const tagsOf = new Map(m.components.map((c) => [c.id, c.tags]));
  const crossing = (f: { from: string; to: string }) => boundaryOf.get(f.from) !== boundaryOf.get(f.to);
  const touching = (id: string) => m.flows.filter((f) => f.from === id || f.to === id);
  const dataOfFlows = (flows: ThreatModel['flows']) => flows.flatMap((f) => f.data.map((d) => classOf.get(d)!));
  const base = (id: string) => ({
    boundary: boundaryOf.get(id),
    crossesBoundary: m.flows.some((f) => f.to === id && crossing(f)),
    traits: new Set<string>(),
  });

  return [
    // misusers are threat agents, not parts of the system: they get no threats of their own
    ...m.actors
      .filter((a) => a.role !== 'misuser')
      .map((a): DfdElement => ({
        id: a.id,
        name: a.name,
        kind: 'external',
        tags: new Set(),
        data: new Set(dataOfFlows(touching(a.id))),
        ...base(a.id),
        crossesBoundary: true,
        partners: touching(a.id).map((f) => (f.from === a.id ? f.to : f.from)),
      })),
    ...m.components.map((c): DfdElement => ({
      id: c.id,
      name: c.name,
      kind: c.element,
      tags: new Set(c.tags),
      data: new Set([
        ...m.assets.filter((a) => a.storedIn.includes(c.id)).map((a) => a.classification),
        ...dataOfFlows(touching(c.id)),
      ]),
      ...base(c.id),
    })),
    ...m.flows.map((f): DfdElement => ({
      id: f.id,
      name: f.name ?? `${f.from} → ${f.to}`,
      kind: 'flow',
      tags: new Set([...(tagsOf.get(f.from) ?? []), ...(tagsOf.get(f.to) ?? [])]),
      data: new Set(dataOfFlows([f])),
      crossesBoundary: crossing(f),
      traits: new Set(kb.protocols.get(f.protocol) ?? []),
      ends: [f.from, f.to],
    })),
  ];
}

/** Whether one knowledge-base clause applies to an element: every condition it states holds. */
export function clauseMatches(c: MatchClause, e: DfdElement): boolean {
  if (!c.on.includes(e.kind)) return false;
  if (c.proto && !c.proto.some((t) => e.traits.has(t))) return false;
  if (c.data && !c.data.some((d) => e.data.has(d))) return false;
  if (c.cross !== undefined && c.cross !== e.crossesBoundary) return false;
  if (c.tags && !c.tags.some((t) => e.tags.has(t))) return false;
  return true;
}
