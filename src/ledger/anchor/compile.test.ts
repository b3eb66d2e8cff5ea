import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANCHOR_ARTIFACT_URL, anchorArtifactJson, compileAnchor } from './compile.ts';

describe('Anchor contract artifact', () => {
  it('is exactly what compiling Anchor.sol offline produces', () => {
    const artifact = compileAnchor();
    expect(artifact.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    expect(artifact.abi.map((f) => (f as { name?: string }).name)).toEqual(
      expect.arrayContaining(['anchor', 'rootAt', 'owner', 'Anchored']),
    );
    expect(readFileSync(ANCHOR_ARTIFACT_URL, 'utf8')).toBe(anchorArtifactJson(artifact));
  });
});
