import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { REPO_ROOT } from './helpers/testdata.ts';

const tmp = mkdtempSync(join(tmpdir(), 'msec-design-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FUJISAWA = join(REPO_ROOT, 'examples', 'fujisawa.yaml');
// every case starts `msec` (node + tsx) one to three times: generous bounds for a loaded 2-core CI machine
const SLOW = { timeout: 120_000 };

describe('msec design threats', () => {
  it(
    'writes a Fujisawa report listing the threats, their mitigations by msec components and the open ones',
    SLOW,
    async () => {
      const out = join(tmp, 'fujisawa');
      const r = await runMsec(['design', 'threats', FUJISAWA, '-o', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^\d+ threats, \d+ open \(critical \d+, high \d+, medium \d+, low \d+\), \d+ mitigated$/m,
      );
      for (const f of ['report.md', 'report.html', 'report.json', 'dfd.svg', 'misuse-cases.svg'])
        expect(existsSync(join(out, f)), f).toBe(true);
      const md = readFileSync(join(out, 'report.md'), 'utf8');
      const open = md.slice(md.indexOf('## Open threats'), md.indexOf('## Mitigated threats'));
      const mitigated = md.slice(md.indexOf('## Mitigated threats'), md.indexOf('## STRIDE per element'));
      // a mitigated threat names the control, the component implementing it and its msec module
      expect(mitigated).toMatch(
        /Identity Spoofing \| Cellular uplink to the hub \(`uplink`\) \| S \| .*COSE\\-signed readings \\\(c\\-cose, by sensor\\-board, msec device\\\)/,
      );
      expect(mitigated).toContain('Anonymize frames on the truck \\(c\\-anon, by anonymizer, msec anonymizer\\)');
      // open threats, with what would mitigate them
      expect(open).toMatch(
        /\| high \| \[CWE-319\]\(https:\/\/cwe\.mitre\.org\/data\/definitions\/319\.html\) Cleartext Transmission of Sensitive Information \| .*`camera-to-anonymizer`/,
      );
      expect(open).toMatch(
        /Malicious Software Update \| On\\-board gateway .*Signed firmware and software updates \\\(not in msec\\\)/,
      );
      const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(json.summary.open).toBeGreaterThan(0);
      expect(json.summary.mitigated).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'dfd.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    },
  );

  it('--fail-on high exits 1 while a high risk is open, 0 when none is', SLOW, async () => {
    const gate = await runMsec([
      'design',
      'threats',
      FUJISAWA,
      '-o',
      join(tmp, 'gate'),
      '--format',
      'json',
      '--fail-on',
      'high',
    ]);
    expect(gate.code).toBe(1);
    expect(gate.stderr).toMatch(/^open (high|critical): \S+:(CAPEC|CWE|STRIDE)-\S+ /m);
    expect(gate.stderr).toMatch(/^error: \d+ open threats? at or above high$/m);
    const json = JSON.parse(readFileSync(join(tmp, 'gate', 'report.json'), 'utf8'));
    expect(json.summary.openByRisk.high + json.summary.openByRisk.critical).toBeGreaterThan(0);
    expect(existsSync(join(tmp, 'gate', 'report.md'))).toBe(false);

    // one internal process with nothing at stake: nothing reaches high
    const small = join(tmp, 'small.yaml');
    writeFileSync(small, 'model: small\ncomponents:\n  - { id: job, name: Batch job, kind: external }\n');
    const pass = await runMsec(['design', 'threats', small, '-o', join(tmp, 'small'), '--fail-on', 'high']);
    expect(pass.stderr).toBe('');
    expect(pass.code).toBe(0);
    const low = await runMsec(['design', 'threats', small, '-o', join(tmp, 'small'), '--fail-on', 'low']);
    expect(low.code).toBe(1);
  });

  it('reports an inconsistent model with file, line and code, and writes nothing', SLOW, async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(FUJISAWA, 'utf8')
        .replace('to: truck-gateway, protocol: mqtt,', 'to: truck-gatewy, protocol: mqtt,')
        .replace('mitigatedBy: [c-anon]', 'mitigatedBy: [c-anonymiser]'),
    );
    const r = await runMsec(['design', 'threats', bad, '-o', join(tmp, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: DESIGN_FLOW_UNKNOWN_ENDPOINT flows.board-to-gateway: to "truck-gatewy" is not defined`,
        'm',
      ),
    );
    expect(r.stderr).toMatch(
      /:\d+:\d+: DESIGN_MISUSE_UNKNOWN_CONTROL misuseCases.mc-faces: mitigatedBy "c-anonymiser"/,
    );
    expect(r.stderr).toMatch(/^error: .*bad\.yaml: 2 problems in the model$/m);
    expect(existsSync(join(tmp, 'bad'))).toBe(false);
  });

  it('usage errors exit 2; a missing file exits 1 with a clear message', SLOW, async () => {
    expect((await runMsec(['design', 'threats', FUJISAWA, '--format', 'pdf'])).code).toBe(2);
    expect((await runMsec(['design', 'threats', FUJISAWA, '--fail-on', 'severe'])).code).toBe(2);
    const missing = await runMsec(['design', 'threats', join(tmp, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.yaml: ENOENT$/m);
  });
});

describe('msec design kb', () => {
  it('search lists matching entries, best first', SLOW, async () => {
    const r = await runMsec(['design', 'kb', 'search', 'anonymizer']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^CM-anonymizer\s+solution\s+Anonymizer/);
    const none = await runMsec(['design', 'kb', 'search', 'zzzz-no-such-thing']);
    expect(none.stdout.trim()).toBe('no entries match');
  });

  it('show prints an entry with the entries it links to, and refuses unknown ids', SLOW, async () => {
    const r = await runMsec(['design', 'kb', 'show', 'CAPEC-94']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CAPEC-94: Adversary in the Middle (AiTM)');
    expect(r.stdout).toContain('reference: https://capec.mitre.org/data/definitions/94.html');
    expect(r.stdout).toMatch(/^ {2}CM-tls\s+TLS on every listener$/m);
    expect(r.stdout).toMatch(/^ {2}STRIDE-T\s+Tampering$/m);
    const json = JSON.parse((await runMsec(['design', 'kb', 'show', 'CM-anonymizer', '--json'])).stdout);
    expect(json).toMatchObject({
      id: 'CM-anonymizer',
      type: 'instance',
      category: 'solution',
      msec: { module: 'anonymizer' },
    });
    expect(json.related).toContain('CWE-359');
    const unknown = await runMsec(['design', 'kb', 'show', 'CAPEC-999999']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: no knowledge-base entry CAPEC-999999/m);
  });
});
