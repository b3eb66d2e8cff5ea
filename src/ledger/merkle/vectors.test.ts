import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithTestdata } from '../../../test/helpers/testdata.ts';
import { verifyConsistency, verifyInclusion } from './verify.ts';
import { verifySubtreeConsistency, verifySubtreeInclusion } from './subtree.ts';

/** Every transparency-dev/merkle proof vector: a correct verifier accepts exactly the wantErr=false ones. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return jsonFiles(p);
    return name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: unknown): Buffer => Buffer.from(typeof s === 'string' ? s : '', 'base64');
const proofOf = (p: unknown): Buffer[] => (Array.isArray(p) ? p.map(b64) : []);

function outcome(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    expect((err as { code?: string }).code).toBe('LEDGER_PROOF_INVALID');
    return false;
  }
}

type Case = Record<string, unknown> & { wantErr: boolean };
const verifiers: Record<string, (c: Case) => void> = {
  inclusion: (c) =>
    verifyInclusion(c.leafIdx as number, c.treeSize as number, b64(c.leafHash), proofOf(c.proof), b64(c.root)),
  consistency: (c) =>
    verifyConsistency(c.size1 as number, c.size2 as number, proofOf(c.proof), b64(c.root1), b64(c.root2)),
  subtreeinclusion: (c) =>
    verifySubtreeInclusion(
      c.leafIdx as number,
      c.start as number,
      c.end as number,
      b64(c.leafHash),
      proofOf(c.proof),
      b64(c.root),
    ),
  subtreeconsistency: (c) =>
    verifySubtreeConsistency(
      c.start as number,
      c.end as number,
      c.size as number,
      proofOf(c.proof),
      b64(c.root1),
      b64(c.root2),
    ),
};

describeWithTestdata('merkle', 'transparency-dev/merkle proof vectors', (dir) => {
  for (const [folder, verify] of Object.entries(verifiers)) {
    it(`decides every ${folder} case as the vector says`, () => {
      const files = jsonFiles(join(dir, folder));
      expect(files.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const file of files) {
        const c = JSON.parse(readFileSync(file, 'utf8')) as Case;
        if (outcome(() => verify(c)) === c.wantErr) wrong.push(relative(dir, file));
      }
      expect(wrong).toEqual([]);
    });
  }

  it('covers all 518 cases', () => {
    const total = Object.keys(verifiers).reduce((n, f) => n + jsonFiles(join(dir, f)).length, 0);
    expect(total).toBe(518);
  });
});
