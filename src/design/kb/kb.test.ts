import { describe, expect, it } from 'vitest';
import { loadKb, searchKb } from './kb.ts';
import { COMPONENT_TAGS } from './vocabulary.ts';

describe('knowledge base', () => {
  const kb = loadKb();

  it('holds at least 80 CAPEC and CWE entries with the fields a problem needs', () => {
    const problems = kb.problems;
    expect(problems.length).toBeGreaterThanOrEqual(80);
    expect(problems.filter((p) => p.id.startsWith('CAPEC-')).length).toBeGreaterThan(30);
    expect(problems.filter((p) => p.id.startsWith('CWE-')).length).toBeGreaterThan(30);
    for (const p of problems) {
      expect(p.description.length, p.id).toBeGreaterThan(10);
      expect(['Low', 'Medium', 'High']).toContain(p.likelihood);
      expect(['Very Low', 'Low', 'Medium', 'High', 'Very High']).toContain(p.severity);
      expect(p.mitigations!.length, p.id).toBeGreaterThan(0);
      expect(p.countermeasures!.length, p.id).toBeGreaterThan(0);
      expect(p.reference).toMatch(/^https:\/\/(capec|cwe)\.mitre\.org\/data\/definitions\/\d+\.html$/);
      expect(p.reference).toContain(`/${p.id.split('-')[1]}.html`);
    }
  });

  it('keeps the Security Analysis Tool entry shape and is a closed graph', () => {
    for (const e of kb.entries) {
      expect(['class', 'instance']).toContain(e.type);
      expect(['abstract', 'solution', 'problem', 'bridge']).toContain(e.category);
      expect(typeof e.name).toBe('string');
      expect(typeof e.source).toBe('string');
      for (const id of [...e.inherit, ...e.related, ...(e.countermeasures ?? [])])
        expect(kb.get(id), `${e.id} → ${id}`).toBeDefined();
      // what an entry inherits from is a class
      for (const id of e.inherit) expect(kb.get(id)!.type, `${e.id} inherits ${id}`).toBe('class');
    }
    expect(kb.stride.map((s) => s.name)).toEqual([
      'Spoofing',
      'Tampering',
      'Repudiation',
      'Information disclosure',
      'Denial of service',
      'Elevation of privilege',
    ]);
  });

  it('names the msec capability behind each implemented countermeasure, and only real countermeasures are linked', () => {
    const cms = kb.entries.filter((e) => e.category === 'solution' && e.type === 'instance');
    expect(cms.filter((c) => c.msec).length).toBeGreaterThan(20);
    expect(kb.get('CM-cose-signed-readings')!.msec!.module).toBe('device');
    expect(kb.get('CM-transparency-log')!.msec!.module).toBe('ledger');
    expect(kb.get('CM-anonymizer')!.msec!.module).toBe('anonymizer');
    expect(kb.get('CM-signed-updates')!.msec).toBeUndefined();
    for (const p of kb.problems)
      for (const c of p.countermeasures!) expect(kb.get(c)!.category, `${p.id} → ${c}`).toBe('solution');
    // the countermeasure links back to what it solves
    for (const p of kb.problems)
      for (const c of p.countermeasures!) expect(kb.get(c)!.related, `${c} ↔ ${p.id}`).toContain(p.id);
  });

  it('matches only with known element kinds, tags and protocol traits', () => {
    const traits = new Set([...kb.protocols.values()].flat());
    for (const p of kb.problems)
      for (const c of p.match!) {
        for (const t of c.tags ?? []) expect(COMPONENT_TAGS).toContain(t);
        for (const t of c.proto ?? []) expect(traits.has(t), `${p.id} proto ${t}`).toBe(true);
      }
    expect(kb.protocols.get('mqtt')).toContain('cleartext');
    expect(kb.protocols.get('mqtts')).toContain('tls');
  });

  it('searches ids, names and text, ranking name hits first', () => {
    const hits = searchKb(kb, 'signed readings');
    expect(hits[0]!.entry.id).toBe('CM-cose-signed-readings');
    expect(searchKb(kb, 'forged readings').map((h) => h.entry.id)).toContain('CWE-345');
    expect(searchKb(kb, 'CAPEC-94')[0]!.entry.name).toBe('Adversary in the Middle (AiTM)');
    expect(searchKb(kb, 'sql injection').map((h) => h.entry.id)).toEqual(
      expect.arrayContaining(['CAPEC-66', 'CWE-89']),
    );
    expect(searchKb(kb, 'nothing-like-this-exists')).toEqual([]);
    expect(searchKb(kb, '   ')).toEqual([]);
  });
});
