import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../src/design/threats/parse-model.ts';
import { REPO_ROOT } from './helpers/testdata.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
// Threat models; `*.map.yaml` files are the synthesis examples' Node-RED maps.
const models = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml') && !f.endsWith('.map.yaml'));

describe('example threat models', () => {
  it('ship the pilots, the marketplace and msec itself', () => {
    expect(models).toEqual(
      expect.arrayContaining(['fujisawa.yaml', 'santander.yaml', 'marketplace.yaml', 'msec.yaml']),
    );
  });

  it.each(models)('%s is a valid model', (file) => {
    const r = parseModel(readFileSync(join(EXAMPLES, file), 'utf8'), file);
    expect(r.diagnostics).toEqual([]);
  });

  it('the complete example in docs/design-threats.md is a valid model', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'design-threats.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const r = parseModel(block, 'docs/design-threats.md');
    expect(r.diagnostics).toEqual([]);
    expect(r.model!.misuseCases.map((m) => m.id)).toEqual(['mc-plates']);
  });

  it("msec's own model names exactly the module folders under src/", () => {
    const r = parseModel(readFileSync(join(EXAMPLES, 'msec.yaml'), 'utf8'), 'msec.yaml');
    const modelled = new Set(r.model!.components.filter((c) => c.kind === 'msec').map((c) => c.module!));
    const folders = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect([...modelled].sort()).toEqual([...folders].sort());
  });
});
