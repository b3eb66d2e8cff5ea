import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../../test/helpers/testdata.ts';
import { loadKb } from '../kb/kb.ts';
import { analyze, type Analysis } from './analyze.ts';
import { parseModel } from './parse-model.ts';

const kb = loadKb();
const example = (name: string) => readFileSync(`${REPO_ROOT}/examples/${name}.yaml`, 'utf8');
function run(text: string): Analysis {
  const r = parseModel(text, 'x.yaml');
  expect(r.diagnostics).toEqual([]);
  return analyze(r.model!, kb);
}
const threat = (a: Analysis, id: string) => {
  const t = a.threats.find((x) => x.id === id);
  if (!t) throw new Error(`no threat ${id}`);
  return t;
};

describe('analysis of the Fujisawa example', () => {
  let a: Analysis;
  beforeAll(() => (a = run(example('fujisawa'))));

  it('finds identity spoofing on the cellular uplink, mitigated by signed readings and hub verification', () => {
    const t = threat(a, 'uplink:CAPEC-151');
    expect(t.status).toBe('mitigated');
    expect(t.mitigatedBy.map((c) => c.id).sort()).toEqual(['c-cose', 'c-tls', 'c-verify']);
    expect(t.mitigatedBy.find((c) => c.id === 'c-cose')!.module).toBe('device');
  });

  it('finds the raw camera stream in clear text on the truck, and leaves it open', () => {
    const t = threat(a, 'camera-to-anonymizer:CWE-319');
    expect(t.status).toBe('open');
    expect(t.rating.risk).toBe('high');
    expect(t.suggestions.map((s) => s.countermeasure)).toContain('CM-tls');
  });

  it('leaves malicious firmware updates on the gateway open, naming a countermeasure msec does not implement', () => {
    const t = threat(a, 'truck-gateway:CAPEC-186');
    expect(t.status).toBe('open');
    expect(t.suggestions.find((s) => s.countermeasure === 'CM-signed-updates')!.module).toBeUndefined();
    expect(t.suggestions.find((s) => s.countermeasure === 'CM-remote-attestation')!.module).toBe('device');
    expect(a.misuseCases.find((m) => m.id === 'mc-firmware')).toMatchObject({
      status: 'open',
      reasons: ['no control is declared to mitigate it'],
    });
  });

  it('links misuse cases to knowledge entries and to the threats that instantiate them', () => {
    const faces = a.misuseCases.find((m) => m.id === 'mc-faces')!;
    expect(faces.status).toBe('mitigated');
    expect(faces.kb.find((k) => k.id === 'CWE-359')!.addressedBy).toEqual(['c-anon']);
    const forge = a.misuseCases.find((m) => m.id === 'mc-forge')!;
    expect(forge.threats).toEqual(expect.arrayContaining(['uplink:CAPEC-151', 'uplink:CWE-345']));
    expect(threat(a, 'uplink:CWE-345').misuseCases).toContain('mc-forge');
  });

  it('rates STRIDE per element: the anonymized uplink has no open disclosure, the raw stream does', () => {
    const cell = (el: string, l: string) => a.stride.find((c) => c.element === el && c.letter === l)!;
    expect(cell('uplink', 'I').status).toBe('mitigated');
    expect(cell('camera-to-anonymizer', 'I').status).toBe('open');
    expect(a.stride.filter((c) => c.element === 'uplink').map((c) => c.letter)).toEqual(['T', 'I', 'D']);
  });

  it('suggests knowledge for a misuse case that cites none, from the threats on what it threatens', () => {
    const m = parse(example('fujisawa'));
    m.misuseCases.find((x: { id: string }) => x.id === 'mc-firmware').kb = [];
    const b = run(stringify(m));
    const r = b.misuseCases.find((x) => x.id === 'mc-firmware')!;
    expect(r.suggestedKb.length).toBeGreaterThan(0);
    expect(r.suggestedKb.length).toBeLessThanOrEqual(5);
    for (const id of r.suggestedKb)
      expect(b.threats.some((t) => t.element === 'truck-gateway' && t.kbId === id)).toBe(true);
    expect(a.misuseCases.find((x) => x.id === 'mc-firmware')!.suggestedKb).toEqual([]);
  });

  it('marks a requirement without controls unaddressed and one with open threats at risk', () => {
    expect(a.requirements.find((r) => r.id === 'SR-4')!.status).toBe('unaddressed');
    expect(a.requirements.find((r) => r.id === 'SR-1')!.satisfiedBy).toEqual(['c-anon']);
  });

  it('opens the privacy threats when the anonymizer control is removed', () => {
    const m = parse(example('fujisawa'));
    m.controls = m.controls.filter((c: { id: string }) => c.id !== 'c-anon');
    m.misuseCases.find((x: { id: string }) => x.id === 'mc-faces').mitigatedBy = [];
    m.requirements.find((x: { id: string }) => x.id === 'SR-1').satisfiedBy = [];
    const b = run(stringify(m));
    expect(threat(b, 'anonymizer:CAPEC-569').status).toBe('open');
    expect(threat(a, 'anonymizer:CAPEC-569').status).toBe('mitigated');
    expect(b.misuseCases.find((x) => x.id === 'mc-faces')!.status).toBe('open');
    expect(b.summary.open).toBeGreaterThan(a.summary.open);
  });
});

describe('analysis of the other examples', () => {
  it('Santander: LoRaWAN readings lack integrity, the legacy XMPP feed is readable, federation is pseudonymous', () => {
    const a = run(example('santander'));
    expect(threat(a, 'sensor-radio:CWE-353').status).toBe('open');
    expect(threat(a, 'hub-to-soxfire:CAPEC-117').status).toBe('open');
    expect(threat(a, 'federation:CWE-359').mitigatedBy.map((c) => c.id)).toEqual(['c-pseudonyms']);
    // the misuse case claims twin access control against sniffing, which is not a countermeasure to it
    expect(a.misuseCases.find((m) => m.id === 'mc-sniff-legacy')).toMatchObject({
      status: 'open',
      reasons: ['none of its controls is a countermeasure to CAPEC-158'],
    });
  });

  it('marketplace: transaction tampering is mitigated by settlement, buyer profiles by the vault', () => {
    const a = run(example('marketplace'));
    expect(
      threat(a, 'market:CAPEC-385')
        .mitigatedBy.map((c) => c.id)
        .sort(),
    ).toEqual(['c-log', 'c-settle']);
    expect(threat(a, 'vault:CWE-312').mitigatedBy.map((c) => c.id)).toEqual(['c-vault']);
    expect(a.misuseCases.every((m) => m.status === 'mitigated')).toBe(true);
  });
});
