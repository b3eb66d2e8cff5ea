import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDocument } from './validate.ts';

const here = (f: string): URL => new URL(f, import.meta.url);

describe('shipped Sigma schemas', () => {
  it('are the verbatim files PROVENANCE.md names (sha256)', () => {
    const provenance = readFileSync(here('./schema/PROVENANCE.md'), 'utf8');
    const rows = [...provenance.matchAll(/^\| `([^`]+\.json)` \|.*\| `([0-9a-f]{64})` \|$/gm)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]);
    expect(rows.map((r) => r[0]).sort()).toEqual([
      'sigma-correlation-rules-schema.json',
      'sigma-detection-rule-schema.json',
    ]);
    for (const [file, sha] of rows)
      expect(
        createHash('sha256')
          .update(readFileSync(here(`./schema/${file}`)))
          .digest('hex'),
        file,
      ).toBe(sha);
  });

  it('accept the specification examples and reject what they forbid', () => {
    const rule = {
      title: 'A Title',
      id: '545a5da6-f103-4919-a519-e9aec1026ee4',
      status: 'test',
      date: '2017-05-09',
      logsource: { category: 'network', service: 'dns' },
      detection: { selection: { 'dns.question.name': 'sigmahq' }, condition: 'selection' },
      level: 'high',
    };
    expect(validateDocument(rule, 'detection')).toEqual([]);
    expect(validateDocument({ ...rule, date: '2017/05/09' }, 'detection').map((p) => p.path)).toEqual([['date']]);
    expect(validateDocument({ ...rule, tags: ['Attack.T1110'] }, 'detection').map((p) => p.path)).toEqual([
      ['tags', 0],
    ]);
    const corr = {
      title: 'Many failed logins',
      id: '0e95725d-7320-415d-80f7-004da920fc11',
      correlation: {
        type: 'event_count',
        rules: ['5638f7c0-ac70-491d-8465-2a65075e0d86'],
        'group-by': ['ComputerName'],
        timespan: '1h',
        condition: { gte: 100 },
      },
    };
    expect(validateDocument(corr, 'correlation')).toEqual([]);
    expect(
      validateDocument({ ...corr, correlation: { ...corr.correlation, type: 'event_sum' } }, 'correlation').map(
        (p) => p.path,
      ),
    ).toEqual([['correlation', 'type']]);
  });
});
