/**
 * Dev-time build of the knowledge base: reads the curated sources in ./source and MITRE's catalogues
 * (CAPEC 3.9, CWE 4.15 as extracted in ../shared/testdata/mitre) and writes ./data/*.json.
 * Ids, names and CAPEC↔CWE links come from the catalogues, never from hand-typed text.
 *
 *   node --import tsx src/design/kb/build-kb.ts [MITRE_DIR]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { KbEntry, MatchClause } from './types.ts';
import {
  CLASSIFICATIONS,
  COMPONENT_TAGS,
  ELEMENT_KINDS,
  LIKELIHOODS,
  SEVERITIES,
  STRIDE_LETTERS,
} from './vocabulary.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const KB_FILES = ['stride', 'countermeasures', 'protocols', 'capec', 'cwe'] as const;
export type KbFiles = Record<(typeof KB_FILES)[number], KbEntry[]>;

interface CatalogueEntry {
  name: string;
  status: string;
  cwe?: string[];
}
interface Curated {
  s: string[];
  l: string;
  sev: string;
  m: MatchClause[];
  cm: string[];
  sum: string;
  mit: string[];
}

const yamlFile = (name: string): any => parse(readFileSync(join(HERE, 'source', name), 'utf8'));
const jsonFile = (dir: string, name: string): Record<string, CatalogueEntry> =>
  JSON.parse(readFileSync(join(dir, name), 'utf8'));

function fail(msg: string): never {
  throw new Error(`build-kb: ${msg}`);
}

function oneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(`${what}: ${String(value)} is not one of ${allowed.join(', ')}`);
  return value as T;
}

const byNumber = (a: string, b: string) =>
  Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')) || a.localeCompare(b);

export function buildKb(mitreDir: string): KbFiles {
  const capecCat = jsonFile(mitreDir, 'capec.json');
  const cweCat = jsonFile(mitreDir, 'cwe.json');
  const strideSrc = yamlFile('stride.yaml') as Record<string, any>;
  const cmSrc = yamlFile('countermeasures.yaml') as { classes: Record<string, any>; instances: Record<string, any> };
  const protoSrc = yamlFile('protocols.yaml') as Record<string, { name: string; traits: string[] }>;
  const curated = yamlFile('curated.yaml') as { capec: Record<string, Curated>; cwe: Record<string, Curated> };

  const cmIds = new Set([...Object.keys(cmSrc.classes), ...Object.keys(cmSrc.instances)]);
  const traits = new Set(Object.values(protoSrc).flatMap((p) => p.traits));
  const curatedIds = new Set([...Object.keys(curated.capec), ...Object.keys(curated.cwe)]);
  // CWE → the CAPEC patterns that cite it, from the catalogue itself.
  const capecByCwe = new Map<string, string[]>();
  for (const [id, e] of Object.entries(capecCat)) {
    if (e.status === 'Deprecated' || e.status === 'Obsolete') continue;
    for (const w of e.cwe ?? []) capecByCwe.set(w, [...(capecByCwe.get(w) ?? []), id]);
  }

  const checkMatch = (id: string, clauses: MatchClause[]) => {
    if (!Array.isArray(clauses) || clauses.length === 0) fail(`${id}: m must list at least one clause`);
    for (const c of clauses) {
      for (const k of Object.keys(c))
        if (!['on', 'proto', 'data', 'cross', 'tags'].includes(k)) fail(`${id}: unknown match key ${k}`);
      (c.on ?? fail(`${id}: a clause needs on`)).forEach((k) => oneOf(`${id} on`, k, ELEMENT_KINDS));
      c.data?.forEach((k) => oneOf(`${id} data`, k, CLASSIFICATIONS));
      c.tags?.forEach((k) => oneOf(`${id} tags`, k, COMPONENT_TAGS));
      c.proto?.forEach((k) => oneOf(`${id} proto`, k, [...traits]));
    }
  };

  const problem = (id: string, c: Curated, cat: Record<string, CatalogueEntry>, kind: 'CAPEC' | 'CWE'): KbEntry => {
    const e = cat[id] ?? fail(`${id} is not in the ${kind} catalogue`);
    // a stray comma in a YAML flow mapping turns the rest of a sentence into a key: refuse it
    const keys = Object.keys(c).sort().join(',');
    if (keys !== 'cm,l,m,mit,s,sev,sum') fail(`${id}: expected keys s, l, sev, m, cm, sum, mit; got ${keys}`);
    if (typeof c.sum !== 'string' || !c.mit.every((x) => typeof x === 'string'))
      fail(`${id}: sum and mit must be text`);
    if (e.status === 'Deprecated' || e.status === 'Obsolete') fail(`${id} is ${e.status}`);
    c.s.forEach((s) => oneOf(`${id} s`, s, STRIDE_LETTERS));
    c.cm.forEach((m) => cmIds.has(m) || fail(`${id}: unknown countermeasure ${m}`));
    checkMatch(id, c.m);
    const num = id.split('-')[1];
    const relatedCwe = kind === 'CAPEC' ? [...(e.cwe ?? [])].sort(byNumber) : [];
    const relatedCapec = kind === 'CWE' ? [...(capecByCwe.get(id) ?? [])].sort(byNumber) : [];
    return {
      id,
      name: e.name,
      type: 'instance',
      category: 'problem',
      description: c.sum,
      source:
        kind === 'CAPEC'
          ? 'MITRE CAPEC 3.9 (id, name, related CWE); assessment by msec'
          : 'MITRE CWE 4.15 (id, name); assessment by msec',
      inherit: c.s.map((s) => `STRIDE-${s}`),
      related: [...new Set([...relatedCwe, ...relatedCapec].filter((r) => curatedIds.has(r)).concat(c.cm))],
      reference:
        kind === 'CAPEC'
          ? `https://capec.mitre.org/data/definitions/${num}.html`
          : `https://cwe.mitre.org/data/definitions/${num}.html`,
      stride: c.s as KbEntry['stride'],
      likelihood: oneOf(`${id} l`, c.l, LIKELIHOODS),
      severity: oneOf(`${id} sev`, c.sev, SEVERITIES),
      mitigations: c.mit,
      countermeasures: c.cm,
      ...(kind === 'CAPEC' ? { relatedCwe } : { relatedCapec }),
      match: c.m,
    };
  };
  const capec = Object.entries(curated.capec)
    .sort(([a], [b]) => byNumber(a, b))
    .map(([id, c]) => problem(id, c, capecCat, 'CAPEC'));
  const cwe = Object.entries(curated.cwe)
    .sort(([a], [b]) => byNumber(a, b))
    .map(([id, c]) => problem(id, c, cweCat, 'CWE'));
  const problems = [...capec, ...cwe];

  const stride: KbEntry[] = Object.entries(strideSrc).map(([id, s]) => {
    s.countermeasures.forEach((m: string) => cmIds.has(m) || fail(`${id}: unknown countermeasure ${m}`));
    return {
      id,
      name: s.name,
      type: 'class',
      category: 'abstract',
      description: s.description,
      source: 'STRIDE (Kohnfelder and Garg, Microsoft 1999; Shostack, Threat Modeling, 2014)',
      inherit: [],
      related: [...s.countermeasures, ...problems.filter((p) => p.inherit.includes(id)).map((p) => p.id)],
      property: s.property,
      elements: s.elements,
      countermeasures: s.countermeasures,
    };
  });

  const solvedBy = (cm: string) => problems.filter((p) => p.countermeasures!.includes(cm)).map((p) => p.id);
  const countermeasures: KbEntry[] = [
    ...Object.entries(cmSrc.classes).map(([id, c]): KbEntry => ({
      id,
      name: c.name,
      type: 'class',
      category: 'solution',
      description: c.description,
      source: 'msec',
      inherit: [],
      related: [([] as string[]).concat(c.stride).map((s) => `STRIDE-${s}`)].flat(),
    })),
    ...Object.entries(cmSrc.instances).map(([id, c]): KbEntry => {
      for (const k of Object.keys(c))
        if (!['name', 'inherit', 'description', 'msec'].includes(k)) fail(`${id}: unknown key ${k}`);
      if (c.msec && Object.keys(c.msec).sort().join(',') !== 'capability,module')
        fail(`${id}: msec needs exactly module and capability`);
      c.inherit.forEach((i: string) => i in cmSrc.classes || fail(`${id}: unknown class ${i}`));
      return {
        id,
        name: c.name,
        type: 'instance',
        category: 'solution',
        description: c.description,
        source: c.msec ? `msec ${c.msec.module}` : 'general practice (not implemented by msec)',
        inherit: c.inherit,
        related: solvedBy(id),
        ...(c.msec ? { msec: c.msec } : {}),
      };
    }),
  ];

  for (const [id, p] of Object.entries(protoSrc))
    if (Object.keys(p).sort().join(',') !== 'name,traits') fail(`protocol ${id}: expected name and traits`);
  const protocols: KbEntry[] = Object.entries(protoSrc).map(([id, p]) => ({
    id: `PROTO-${id}`,
    name: p.name,
    type: 'instance',
    category: 'bridge',
    description: `Protocol "${id}" a data flow may declare; traits: ${p.traits.join(', ') || 'none'}.`,
    source: 'msec',
    inherit: [],
    traits: p.traits,
    related: problems
      .filter((e) => e.match!.some((m) => m.on.includes('flow') && m.proto?.some((t) => p.traits.includes(t))))
      .map((e) => e.id),
  }));
  return { stride, countermeasures, protocols, capec, cwe };
}

export function serialiseKb(files: KbFiles): Record<string, string> {
  return Object.fromEntries(KB_FILES.map((f) => [`${f}.json`, JSON.stringify(files[f], null, 1) + '\n']));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mitre = resolve(process.argv[2] ?? join(HERE, '..', '..', '..', '..', 'shared', 'testdata', 'mitre'));
  const out = serialiseKb(buildKb(mitre));
  for (const [name, text] of Object.entries(out)) writeFileSync(join(HERE, 'data', name), text);
  console.log(`wrote ${Object.keys(out).join(', ')} from ${mitre}`);
}
