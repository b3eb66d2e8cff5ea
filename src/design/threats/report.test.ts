import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKb } from '../kb/kb.ts';
import { analyze, type Analysis } from './analyze.ts';
import { parseModel } from './parse-model.ts';
import { toJsonReport } from './report-json.ts';
import { renderHtml } from './report-html.ts';
import { md, renderMarkdown } from './report-md.ts';
import { renderDfd } from './svg-dfd.ts';
import { renderMisuse } from './svg-misuse.ts';
import { escapeXml } from './svg-util.ts';

// Every name a user can write carries markup that must come out inert.
const EVIL = `<script>alert(1)</script> | **bold** & "q" 'a'`;
const MODEL = `model: evil
title: ${JSON.stringify(EVIL)}
description: ${JSON.stringify(EVIL)}
actors:
  - { id: user, name: ${JSON.stringify(EVIL)} }
  - { id: eve, name: ${JSON.stringify('<img src=x onerror=alert(2)>')}, role: misuser }
assets:
  - { id: data, name: ${JSON.stringify(EVIL)}, classification: personal }
components:
  - { id: api, name: ${JSON.stringify(EVIL)}, kind: msec, module: hub, tags: [api, ui] }
flows:
  - { id: f-in, name: ${JSON.stringify(EVIL)}, from: user, to: api, protocol: http, data: [data] }
useCases:
  - { id: uc, name: ${JSON.stringify(EVIL)}, actor: user, uses: [api] }
misuseCases:
  - { id: mc, name: ${JSON.stringify(EVIL)}, misuser: eve, threatens: [uc, data], mitigatedBy: [k], kb: [CAPEC-63] }
requirements:
  - { id: r1, text: ${JSON.stringify(EVIL)}, concerns: [api], satisfiedBy: [k] }
controls:
  - { id: k, name: ${JSON.stringify(EVIL)}, countermeasure: CM-output-encoding, implementedBy: api }
`;

const kb = loadKb();
let a: Analysis;
let tmp: string;
beforeAll(() => {
  const r = parseModel(MODEL, 'evil.yaml');
  expect(r.diagnostics).toEqual([]);
  a = analyze(r.model!, kb);
  tmp = mkdtempSync(join(tmpdir(), 'msec-threat-report-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('reports escape everything from the model', () => {
  it('HTML has no markup from the model, only its escaped text', () => {
    const html = renderHtml(a, kb, { dfd: renderDfd(a), misuse: renderMisuse(a) });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&amp; &quot;q&quot; &#39;a&#39;');
  });

  it('Markdown has no raw HTML and no table-breaking pipes from the model', () => {
    const text = renderMarkdown(a, kb);
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;');
    // every row of a table has as many cell separators as its header, however many pipes the names hold
    const lines = text.split('\n');
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    let header = 0;
    let rows = 0;
    lines.forEach((l, i) => {
      if (lines[i + 1]?.startsWith('|---')) header = cells(l);
      else if (l.startsWith('|') && !l.startsWith('|---') && l.includes('alert')) {
        expect(cells(l), l).toBe(header);
        rows++;
      }
    });
    expect(rows).toBeGreaterThan(5);
    expect(md('a|b*c<d>e')).toBe('a\\|b\\*c&lt;d&gt;e');
  });

  it('SVG diagrams escape names and are well-formed for a real renderer (rsvg-convert)', () => {
    for (const [name, svg] of [
      ['dfd.svg', renderDfd(a)],
      ['misuse.svg', renderMisuse(a)],
    ] as const) {
      expect(svg).not.toContain('<script>');
      expect(svg).not.toContain('<img');
      writeFileSync(join(tmp, name), svg);
      const png = join(tmp, `${name}.png`);
      const run = spawnSync('rsvg-convert', [join(tmp, name), '-o', png], { encoding: 'utf8' });
      expect(run.error, 'rsvg-convert (librsvg2-bin) must be installed').toBeUndefined();
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('JSON carries every threat with its rating and round-trips', () => {
    const json = JSON.parse(JSON.stringify(toJsonReport(a)));
    expect(json.format).toBe('msec-threat-report');
    expect(json.threats).toHaveLength(a.threats.length);
    const xss = json.threats.find((t: { id: string }) => t.id === 'api:CAPEC-63');
    expect(xss.status).toBe('mitigated');
    expect(xss.misuseCases).toEqual(['mc']);
    expect(json.elements.find((e: { id: string }) => e.id === 'f-in').crossesBoundary).toBe(false);
  });
});

describe('escaping, for any text', () => {
  it('XML/HTML escaping leaves no markup character bare and no control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const out = escapeXml(text);
        expect(out).not.toMatch(/[<>"']/);
        expect(out.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      }),
    );
  });

  it('Markdown escaping leaves no raw HTML, no unescaped pipe and no line break', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const out = md(text);
        expect(out).not.toMatch(/[<>\r\n]/);
        expect(out.replace(/\\\\/g, '').replace(/\\\|/g, '')).not.toContain('|');
      }),
    );
  });
});
