import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS } from '../src/server/http-status.ts';
import { readDoc } from './helpers/doc-blocks.ts';
import { withTable } from './helpers/errors-doc.ts';
import { REPO_ROOT } from './helpers/testdata.ts';

describe('docs/errors.md', () => {
  it('holds the table generated from HTTP_STATUS', () => {
    const doc = readDoc('errors.md');
    const expected = withTable(doc);
    if (process.env.MSEC_WRITE_DOCS === '1' && doc !== expected)
      writeFileSync(join(REPO_ROOT, 'docs', 'errors.md'), expected);
    else expect(doc).toBe(expected);
  });

  it('lists every served code once with its status', () => {
    const doc = readDoc('errors.md');
    const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(new Map(rows).size).toBe(rows.length);
    expect(Object.fromEntries(rows)).toEqual(HTTP_STATUS);
  });

  it('every code a document names is a served code', () => {
    const served = new Set(Object.keys(HTTP_STATUS));
    for (const name of ['wire-format.md', 'device-protocol.md', 'ledger.md']) {
      const named = [...readDoc(name).matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
      // TPM constants (TPM_ALG_ECDSA) are named too; they are not error codes.
      expect(
        named.filter((c) => !served.has(c) && !c.startsWith('TPM_ALG_')),
        name,
      ).toEqual([]);
    }
  });
});
