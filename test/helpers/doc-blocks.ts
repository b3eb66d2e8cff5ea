/**
 * Reads the worked examples out of a document in docs/: the fenced block after an HTML comment
 * marker (`<!-- name -->`), or the inline code span right after one. Tests check what a stranger
 * reads, not a copy of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './testdata.ts';

export function readDoc(name: string): string {
  return readFileSync(join(REPO_ROOT, 'docs', name), 'utf8');
}

/** The fenced block following `<!-- marker -->`. */
export function docBlock(doc: string, marker: string): string {
  const m = new RegExp(`<!-- ${marker} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`marker ${marker} not found`);
  return m[1];
}

/** Every inline code span directly after `<!-- marker -->` (a rule may be quoted on several pages). */
export function docQuotes(doc: string, marker: string): string[] {
  return [...doc.matchAll(new RegExp(`<!-- ${marker} -->\`([^\`]*)\``, 'g'))].map((m) => m[1]!);
}

/** `name: value` lines of a block. */
export function docFields(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/^\s*([A-Za-z]+):\s*(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!]));
}

export const hexBytes = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
