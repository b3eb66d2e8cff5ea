import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnowledgeBase } from '../kb/kb.ts';
import type { Analysis } from './analyze.ts';
import { toJsonReport } from './report-json.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-md.ts';
import { renderDfd } from './svg-dfd.ts';
import { renderMisuse } from './svg-misuse.ts';

export const REPORT_FORMATS = ['md', 'html', 'json', 'svg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES = {
  md: 'report.md',
  html: 'report.html',
  json: 'report.json',
  dfd: 'dfd.svg',
  misuse: 'misuse-cases.svg',
} as const;

/** Writes the chosen formats into `dir` and returns the paths written. */
export function writeReport(a: Analysis, kb: KnowledgeBase, dir: string, formats: readonly ReportFormat[]): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    written.push(p);
  };
  const svg = formats.includes('svg');
  const dfd = renderDfd(a);
  const misuse = renderMisuse(a);
  if (svg) {
    put(REPORT_FILES.dfd, dfd);
    put(REPORT_FILES.misuse, misuse);
  }
  if (formats.includes('md'))
    put(REPORT_FILES.md, renderMarkdown(a, kb, svg ? { dfd: REPORT_FILES.dfd, misuse: REPORT_FILES.misuse } : {}));
  if (formats.includes('html'))
    put(REPORT_FILES.html, renderHtml(a, kb, { dfd: dfd.replace(/^<\?xml[^>]*>\n?/, ''), misuse }));
  if (formats.includes('json')) put(REPORT_FILES.json, JSON.stringify(toJsonReport(a), null, 1) + '\n');
  return written;
}
