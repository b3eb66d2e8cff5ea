import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLtsText } from './lts-text.ts';
import { parseNodeMap } from './nodered-map.ts';
import { translateToNodeRed, validateFlow, type FlowNode } from './nodered.ts';

const CTRL = readLtsText(
  'Process:\n\tC\nStates:\n\t3\nTransitions:\n\tC = Q0,\n\tQ0 = (req -> Q1),\n\tQ1 = (work -> Q2),\n\tQ2 = (answer -> Q0).',
).lts;
const MAP = {
  actions: {
    req: { type: 'http in', url: '/req', method: 'get' },
    work: { type: 'function', func: 'return msg;' },
    answer: { type: 'http response', statusCode: '200' },
  },
};

function flowOf(map: unknown = MAP): FlowNode[] {
  return translateToNodeRed(CTRL, parseNodeMap(JSON.stringify(map), 'map.json'));
}

describe('Node-RED translation', () => {
  it('builds a tab, an http in per event, the controller and one node per controllable action, all wired', () => {
    const flow = flowOf();
    const byType = (t: string) => flow.filter((n) => n.type === t);
    expect(byType('tab')).toHaveLength(1);
    expect(byType('http in')).toEqual([expect.objectContaining({ url: '/req', method: 'get' })]);
    const ctrl = flow.find((n) => n.type === 'function' && String(n.name).startsWith('controller'))!;
    expect(ctrl.outputs).toBe(3); // answer (202/409) + work + answer
    const work = flow.find((n) => n.name === 'work')!;
    expect(work.wires).toEqual([[ctrl.id]]);
    expect(flow.find((n) => n.name === 'answer')!.wires).toEqual([]);
    // The table inside the function node is the controller's.
    expect(String(ctrl.func)).toContain('"delta":[{"req":1},{"work":2},{"answer":0}]');
  });

  it('regenerates identically (ids derive from the controller and the node role)', () => {
    expect(flowOf()).toEqual(flowOf());
  });

  it('refuses maps that miss an action, name a foreign one, use unknown types or misplace events', () => {
    expect(() => flowOf({ actions: { req: MAP.actions.req, work: MAP.actions.work } })).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_MAP_MISSING' }),
    );
    expect(() => flowOf({ actions: { ...MAP.actions, extra: { type: 'debug' } } })).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_MAP_UNKNOWN_ACTION' }),
    );
    expect(() => flowOf({ actions: { ...MAP.actions, work: { type: 'my-custom-node' } } })).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_MAP_UNKNOWN_TYPE' }),
    );
    expect(() => flowOf({ actions: { ...MAP.actions, work: { type: 'function', id: 'x' } } })).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_MAP_INVALID' }),
    );
    expect(() => parseNodeMap('{not json', 'map.json')).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_MAP_INVALID' }),
    );
  });

  it('reads YAML maps and the original flat dictionary, with allow_A[1] and allow_A.1 the same action', () => {
    const yaml = 'req:\n  type: http in\n  url: /req\nwork[1]:\n  type: function\n';
    const m = parseNodeMap(yaml, 'map.yaml');
    expect([...m.actions.keys()]).toEqual(['req', 'work.1']);
  });

  it('validation catches duplicate ids, dangling wires, missing tabs and unknown types', () => {
    const good = flowOf();
    const mutate = (f: (nodes: FlowNode[]) => void) => {
      const copy = structuredClone(good);
      f(copy);
      return () => validateFlow(copy);
    };
    expect(() => validateFlow(good)).not.toThrow();
    expect(mutate((n) => (n[2]!.id = n[1]!.id))).toThrow(/duplicate/);
    expect(mutate((n) => n[1]!.wires!.push(['0000000000000000']))).toThrow(/missing node|wire lists/);
    expect(mutate((n) => (n[1]!.z = 'nowhere'))).toThrow(/missing tab/);
    expect(mutate((n) => (n[1]!.type = 'exploit'))).toThrow(/unknown type/);
    fc.assert(
      fc.property(
        fc.nat(good.length - 1),
        fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: 16, maxLength: 16 }).map((a) => a.join('')),
        (i, bogus) => {
          fc.pre(!good.some((n) => n.id === bogus) && good[i]!.type !== 'tab');
          expect(mutate((n) => (n[i]!.wires = [[bogus]]))).toThrow(
            expect.objectContaining({ code: 'DESIGN_SYNTH_FLOW_INVALID' }),
          );
        },
      ),
    );
  });

  it('refuses to translate an LTS with transitions to ERROR (not a controller)', () => {
    const prop = readLtsText('P = (req -> Q1),\nQ1 = (work -> ERROR | answer -> P).').lts;
    expect(() => translateToNodeRed(prop, parseNodeMap(JSON.stringify(MAP), 'map.json'))).toThrow(
      expect.objectContaining({ code: 'DESIGN_SYNTH_NOT_A_CONTROLLER' }),
    );
  });

  it('fires the first enabled controllable action in map order', () => {
    const both = readLtsText('C = (req -> (left -> C | right -> C)).').lts;
    const order = (first: string, second: string) => {
      const map = {
        actions: { req: { type: 'http in', url: '/r' }, [first]: { type: 'function' }, [second]: { type: 'function' } },
      };
      const ctrl = translateToNodeRed(both, parseNodeMap(JSON.stringify(map), 'map.json')).find((n) =>
        String(n.name).startsWith('controller'),
      )!;
      return JSON.parse(/const T = (.*);/.exec(String(ctrl.func))![1]!).controllable as string[];
    };
    expect(order('left', 'right')).toEqual(['left', 'right']);
    expect(order('right', 'left')).toEqual(['right', 'left']);
  });

  it('map parser: any JSON or text gives a map of known node types or a DESIGN_SYNTH_MAP_ error', () => {
    const nodeArb = fc.record(
      { type: fc.oneof(fc.constantFrom('http in', 'function', 'debug', 'tab', 'evil'), fc.string()), url: fc.string() },
      { requiredKeys: [] },
    );
    const mapArb = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.string({ maxLength: 8 }), nodeArb),
      fc.record({ actions: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(nodeArb, fc.jsonValue())) }),
    );
    fc.assert(
      fc.property(mapArb, fc.boolean(), (value, asYaml) => {
        const text = JSON.stringify(value) ?? 'null';
        try {
          const m = parseNodeMap(text, asYaml ? 'map.yaml' : 'map.json');
          expect(m.actions.size).toBeGreaterThan(0);
          for (const spec of m.actions.values()) expect(['tab', 'evil']).not.toContain(spec.type);
        } catch (err) {
          expect((err as { code?: string }).code).toMatch(/^DESIGN_SYNTH_MAP_/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
