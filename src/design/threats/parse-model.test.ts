import { describe, expect, it } from 'vitest';
import { MAX_MODEL_BYTES, parseModel } from './parse-model.ts';

const BASE = `model: small
actors:
  - { id: user, name: User }
  - { id: eve, name: Eve, role: misuser }
assets:
  - { id: data, name: Data, classification: personal, storedIn: [store] }
components:
  - { id: api, name: API, kind: msec, module: hub, tags: [api] }
  - { id: store, name: Store, kind: external, element: datastore, tags: [database] }
flows:
  - { id: f-in, from: user, to: api, protocol: https, data: [data] }
  - { id: f-store, from: api, to: store, protocol: sql, data: [data] }
misuseCases:
  - { id: mc-1, name: Steal data, misuser: eve, threatens: [data], mitigatedBy: [c-tls], kb: [CAPEC-94] }
controls:
  - { id: c-tls, name: TLS, countermeasure: CM-tls, implementedBy: api }
`;

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const only = (text: string) => {
  const r = parseModel(text, 'm.yaml');
  expect(r.model).toBeUndefined();
  return r.diagnostics;
};

describe('parseModel', () => {
  it('accepts a consistent model and fills the defaults', () => {
    const r = parseModel(BASE, 'm.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.model!.components.find((c) => c.id === 'api')!.element).toBe('process');
    expect(r.model!.useCases).toEqual([]);
    expect(r.model!.actors[0]!.role).toBe('user');
  });

  it('points a flow to a missing component at the line and column of the reference', () => {
    const text = BASE.replace('to: store, protocol: sql', 'to: nowhere, protocol: sql');
    const [d, ...rest] = only(text);
    expect(rest).toEqual([]);
    expect(d!.code).toBe('DESIGN_FLOW_UNKNOWN_ENDPOINT');
    expect(d!.file).toBe('m.yaml');
    expect(d!.line).toBe(lineOf(text, 'nowhere'));
    expect(text.split('\n')[d!.line - 1]!.slice(d!.column - 1)).toMatch(/^nowhere/);
    expect(d!.message).toContain('"nowhere"');
  });

  it('reports a misuse case mitigated by an unknown control, and an unknown knowledge entry', () => {
    const text = BASE.replace(
      'mitigatedBy: [c-tls], kb: [CAPEC-94]',
      'mitigatedBy: [c-tls, c-ghost], kb: [CAPEC-99999]',
    );
    const ds = only(text);
    expect(ds.map((d) => d.code).sort()).toEqual(['DESIGN_MISUSE_UNKNOWN_CONTROL', 'DESIGN_UNKNOWN_KB_ENTRY']);
    for (const d of ds) expect(d.line).toBe(lineOf(text, 'c-ghost'));
    const control = ds.find((d) => d.code === 'DESIGN_MISUSE_UNKNOWN_CONTROL')!;
    expect(text.split('\n')[control.line - 1]!.slice(control.column - 1)).toMatch(/^c-ghost/);
  });

  it('says what kind of element a reference wrongly points at', () => {
    const [d] = only(BASE.replace('implementedBy: api', 'implementedBy: data'));
    expect(d!.code).toBe('DESIGN_CONTROL_UNKNOWN_COMPONENT');
    expect(d!.message).toContain('is an asset, not a component');
  });

  it('reports schema errors with stable codes at the offending line', () => {
    const cases: [string, string, string][] = [
      [BASE.replace('protocol: https', 'protocol: carrier-pigeon'), 'DESIGN_SCHEMA_ENUM', 'carrier-pigeon'],
      [BASE.replace('{ id: f-in, ', '{ id: f-in, colour: red, '), 'DESIGN_SCHEMA_UNKNOWN_PROPERTY', 'colour'],
      [BASE.replace('classification: personal', 'classification: secret'), 'DESIGN_SCHEMA_ENUM', 'secret'],
      [
        BASE.replace('kind: external, element', 'kind: external, module: hub, element'),
        'DESIGN_SCHEMA_EXTERNAL_MODULE',
        'kind: external, module',
      ],
      [BASE.replace(', kind: msec, module: hub', ', kind: msec'), 'DESIGN_SCHEMA_REQUIRED', 'id: api'],
      [BASE.replace('tags: [api]', 'tags: [api, toaster]'), 'DESIGN_SCHEMA_ENUM', 'toaster'],
      [BASE.replace('{ id: f-in,', '{ id: "9bad",'), 'DESIGN_SCHEMA_PATTERN', '9bad'],
    ];
    for (const [text, code, needle] of cases) {
      const ds = only(text);
      expect(
        ds.map((d) => d.code),
        needle,
      ).toContain(code);
      expect(ds.find((d) => d.code === code)!.line, needle).toBe(lineOf(text, needle));
    }
  });

  it('reports a missing top-level property at line 1', () => {
    const [d] = only('model: x\n');
    expect(d).toMatchObject({ code: 'DESIGN_SCHEMA_REQUIRED', line: 1 });
    expect(d!.message).toContain('"components"');
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const broken = BASE.replace('  - { id: store,', '  - { id: store, [[[');
    const [d] = only(broken);
    expect(d!.code).toBe('DESIGN_YAML_SYNTAX');
    expect(d!.line).toBeGreaterThanOrEqual(lineOf(broken, '[[['));
    const dup = `model: a\nmodel: b\ncomponents: []\n`;
    expect(only(dup)[0]).toMatchObject({ code: 'DESIGN_YAML_SYNTAX', line: 2 });
  });

  it('refuses duplicate ids across sections, overlapping boundaries and flows that touch no process', () => {
    const dupId = BASE.replace('{ id: c-tls, name: TLS', '{ id: api, name: TLS');
    const d = only(dupId).find((x) => x.code === 'DESIGN_DUPLICATE_ID')!;
    expect(d.line).toBe(lineOf(dupId, '{ id: api, name: TLS'));
    expect(d.message).toContain('components');
    const overlap = `${BASE}boundaries:\n  - { id: b1, name: One, members: [api] }\n  - { id: b2, name: Two, members: [api] }\n`;
    expect(only(overlap)[0]).toMatchObject({ code: 'DESIGN_BOUNDARY_OVERLAP', line: lineOf(overlap, 'id: b2') });
    const storeToUser = BASE.replace('{ id: f-in, from: user, to: api', '{ id: f-in, from: user, to: store');
    expect(only(storeToUser)[0]).toMatchObject({
      code: 'DESIGN_FLOW_NEEDS_PROCESS',
      line: lineOf(storeToUser, 'id: f-in'),
    });
    const self = BASE.replace('from: api, to: store', 'from: api, to: api');
    expect(only(self)[0]!.code).toBe('DESIGN_FLOW_SELF');
  });

  it('refuses empty, non-mapping and oversized files', () => {
    expect(only('')[0]!.code).toBe('DESIGN_MODEL_EMPTY');
    expect(only('- a\n- b\n')[0]!.code).toBe('DESIGN_SCHEMA_TYPE');
    expect(only('model: x\ncomponents: []\n')[0]).toMatchObject({ code: 'DESIGN_SCHEMA_INVALID', line: 2 });
    expect(only('x'.repeat(MAX_MODEL_BYTES + 1))[0]!.code).toBe('DESIGN_MODEL_TOO_LARGE');
  });

  it('bounds YAML alias expansion (a billion-laughs file is an error, not a hang)', () => {
    const lol = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill('*' + String.fromCharCode(97 + i))
            .join(', ')}]`,
      ),
    ].join('\n');
    const ds = only(lol);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.code).toBe('DESIGN_YAML_SYNTAX');
    expect(ds[0]!.message).toMatch(/alias/i);
  });
});
