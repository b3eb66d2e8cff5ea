import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithTestdata, REPO_ROOT } from '../../../../test/helpers/testdata.ts';
import {
  contentValue,
  IOT_RULES,
  MSEC_SID_RANGE,
  quoteMsg,
  renderRule,
  renderRuleset,
  RULE_FAMILIES,
} from './index.ts';

/** Undoes contentValue: `|hex hex|` runs back to bytes, the rest as latin1. */
function decodeContent(quoted: string): Buffer {
  const inner = quoted.slice(1, -1);
  const parts: Buffer[] = [];
  for (const [i, piece] of inner.split('|').entries()) {
    if (i % 2 === 1) parts.push(Buffer.from(piece.split(' ').join(''), 'hex'));
    else parts.push(Buffer.from(piece, 'latin1'));
  }
  return Buffer.concat(parts);
}

describe('IoT ruleset data', () => {
  it('gives every rule a unique sid in our range and a unique name', () => {
    const sids = IOT_RULES.map((r) => r.sid);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids.every((s) => s >= MSEC_SID_RANGE.first && s <= MSEC_SID_RANGE.last)).toBe(true);
    expect(new Set(IOT_RULES.map((r) => r.name)).size).toBe(IOT_RULES.length);
  });

  it('covers every family, each rule with a classtype, a priority and at least one technique', () => {
    for (const f of RULE_FAMILIES)
      expect(
        IOT_RULES.some((r) => r.family === f),
        f,
      ).toBe(true);
    for (const r of IOT_RULES) {
      expect(r.classtype).toMatch(/^[a-z-]+$/);
      expect([1, 2, 3]).toContain(r.priority);
      expect(r.mitre.length).toBeGreaterThan(0);
      expect(r.mitre.every((t) => /^T\d{4}(\.\d{3})?$/.test(t))).toBe(true);
      expect(r.why).not.toMatch(/\n/);
    }
  });

  it('renders metadata, sid and the IPS drop action', () => {
    for (const r of IOT_RULES) {
      const ids = renderRule(r, 'ids');
      const ips = renderRule(r, 'ips');
      expect(ids.startsWith('alert ')).toBe(true);
      expect(ips.startsWith(r.blocking ? 'drop ' : 'alert ')).toBe(true);
      expect(ids).toContain(`sid:${r.sid};`);
      expect(ids).toContain(`msec_rule ${r.name}`);
      for (const t of r.mitre) expect(ids).toContain(`mitre_technique_id ${t}`);
      // Counted (threshold) rules never drop: one dropped packet of a count stops nothing.
      if (r.options.some(([k]) => k === 'threshold')) expect(r.blocking).toBe(false);
    }
    const file = renderRuleset(IOT_RULES, 'ips', 'test');
    expect(file.split('\n').filter((l) => /^(alert|drop) /.test(l))).toHaveLength(IOT_RULES.length);
  });

  it('encodes any bytes as a content value that decodes back and has no bare delimiters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const v = contentValue(bytes);
        expect(decodeContent(v).equals(Buffer.from(bytes))).toBe(true);
        expect(v.slice(1, -1)).not.toMatch(/[";\\]/);
      }),
    );
  });

  it('escapes msg text so it cannot end the option early', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const q = quoteMsg(s);
        expect(q.slice(1, -1).replace(/\\[\\";]/g, '')).not.toMatch(/[";]/);
      }),
    );
  });
});

describeWithTestdata('mitre', 'IoT ruleset MITRE technique ids', (dir) => {
  it('exist, active, in the ATT&CK catalogue (Enterprise or ICS)', () => {
    const catalogue = JSON.parse(readFileSync(join(dir, 'attack-techniques.json'), 'utf8')) as Record<string, string>;
    const unknown = IOT_RULES.flatMap((r) => r.mitre.filter((t) => !(t in catalogue)).map((t) => `${r.sid}:${t}`));
    expect(unknown).toEqual([]);
  });

  it('pass the shared checker (check_ids.py) in the rules and their docs page', () => {
    const r = spawnSync(
      'python3',
      [
        join(dir, 'check_ids.py'),
        '-q',
        join(REPO_ROOT, 'src/gateway/ids/rules'),
        join(REPO_ROOT, 'docs/gateway-ids.md'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ids: \d+ real, 0 unknown/);
  });
});

describe('docs/gateway-ids.md', () => {
  it('lists every rule with its sid and techniques', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'gateway-ids.md'), 'utf8');
    for (const r of IOT_RULES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${r.sid} |`));
      expect(row, String(r.sid)).toBeDefined();
      expect(row).toContain(`| ${r.mitre.join(', ')} |`);
      expect(row).toContain(`\`${r.name}\``);
    }
  });
});
