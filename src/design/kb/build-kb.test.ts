import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTestdata } from '../../../test/helpers/testdata.ts';
import { buildKb, serialiseKb, type KbFiles } from './build-kb.ts';

const DATA = new URL('./data/', import.meta.url).pathname;

describeWithTestdata('mitre', 'knowledge base against the MITRE catalogues', (dir) => {
  let built: KbFiles;
  let capec: Record<string, { name: string; cwe: string[]; status: string }>;
  let cwe: Record<string, { name: string; status: string }>;
  beforeAll(() => {
    built = buildKb(dir);
    capec = JSON.parse(readFileSync(join(dir, 'capec.json'), 'utf8'));
    cwe = JSON.parse(readFileSync(join(dir, 'cwe.json'), 'utf8'));
  });

  it('the shipped data is exactly what build-kb.ts derives (run it after editing source/)', () => {
    for (const [name, text] of Object.entries(serialiseKb(built)))
      expect(readFileSync(join(DATA, name), 'utf8'), name).toBe(text);
  });

  it('every CAPEC and CWE id and name is the catalogue one, none deprecated, related CWE as CAPEC lists them', () => {
    const shipped = [
      ...JSON.parse(readFileSync(join(DATA, 'capec.json'), 'utf8')),
      ...JSON.parse(readFileSync(join(DATA, 'cwe.json'), 'utf8')),
    ];
    expect(shipped.length).toBeGreaterThanOrEqual(80);
    for (const e of shipped) {
      const cat = e.id.startsWith('CAPEC-') ? capec[e.id] : cwe[e.id];
      expect(cat, e.id).toBeDefined();
      expect(e.name, e.id).toBe(cat!.name);
      expect(['Deprecated', 'Obsolete']).not.toContain(cat!.status);
      if (e.id.startsWith('CAPEC-')) expect([...e.relatedCwe].sort()).toEqual([...capec[e.id]!.cwe].sort());
    }
  });

  it('check_ids.py finds every id real and every written name matching', () => {
    const run = spawnSync('python3', [join(dir, 'check_ids.py'), '-q', '--strict-names', DATA], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toMatch(/ids: \d+ real, 0 unknown, 0 name mismatches/);
    expect(run.status).toBe(0);
    const real = Number(/ids: (\d+) real/.exec(run.stdout)![1]);
    expect(real).toBeGreaterThanOrEqual(80);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'msec-kb-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses a curated id that is not in the catalogue, or one the catalogue deprecated', () => {
    copyFileSync(join(dir, 'cwe.json'), join(tmp, 'cwe.json'));
    const without = { ...capec };
    delete without['CAPEC-94'];
    writeFileSync(join(tmp, 'capec.json'), JSON.stringify(without));
    expect(() => buildKb(tmp)).toThrow(/CAPEC-94 is not in the CAPEC catalogue/);
    writeFileSync(
      join(tmp, 'capec.json'),
      JSON.stringify({ ...capec, 'CAPEC-94': { ...capec['CAPEC-94'], status: 'Deprecated' } }),
    );
    expect(() => buildKb(tmp)).toThrow(/CAPEC-94 is Deprecated/);
  });
});
