import { readFileSync } from 'node:fs';
import type { KbEntry } from './types.ts';

/** The shipped knowledge base, loaded once from ./data (written by build-kb.ts). */
export interface KnowledgeBase {
  entries: KbEntry[];
  /** By id; ids are also found case-insensitively (`capec-94`). */
  get(id: string): KbEntry | undefined;
  problems: KbEntry[];
  stride: KbEntry[];
  /** Protocol name as written in a model (`mqtt`) → its traits. */
  protocols: Map<string, string[]>;
}

const FILES = ['stride', 'countermeasures', 'protocols', 'capec', 'cwe'];
let cached: KnowledgeBase | undefined;

export function loadKb(): KnowledgeBase {
  if (cached) return cached;
  const entries = FILES.flatMap(
    (f) => JSON.parse(readFileSync(new URL(`./data/${f}.json`, import.meta.url), 'utf8')) as KbEntry[],
  );
  const byId = new Map(entries.map((e) => [e.id, e]));
  const byLowerId = new Map(entries.map((e) => [e.id.toLowerCase(), e]));
  cached = {
    entries,
    get: (id) => byId.get(id) ?? byLowerId.get(id.toLowerCase()),
    problems: entries.filter((e) => e.category === 'problem'),
    stride: entries.filter((e) => e.category === 'abstract'),
    protocols: new Map(
      entries.filter((e) => e.category === 'bridge').map((e) => [e.id.replace(/^PROTO-/, ''), e.traits ?? []]),
    ),
  };
  return cached;
}

export interface SearchHit {
  entry: KbEntry;
  score: number;
}

/**
 * Entries whose id, name, description or mitigations contain every word of the query (case-insensitive);
 * hits in the id or name rank first.
 */
export function searchKb(kb: KnowledgeBase, query: string, limit = 20): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const hits: SearchHit[] = [];
  for (const entry of kb.entries) {
    const head = `${entry.id} ${entry.name}`.toLowerCase();
    const body = [
      entry.description,
      ...(entry.mitigations ?? []),
      entry.msec?.capability ?? '',
      entry.msec?.module ?? '',
    ]
      .join(' ')
      .toLowerCase();
    let score = 0;
    for (const w of words) {
      if (head.includes(w)) score += 3;
      else if (body.includes(w)) score += 1;
      else {
        score = 0;
        break;
      }
    }
    if (score > 0) hits.push({ entry, score });
  }
  return hits
    .sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id, 'en', { numeric: true }))
    .slice(0, limit);
}
