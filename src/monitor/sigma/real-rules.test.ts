import { describe, expect, it } from 'vitest';
import { createSigmaEngine, parseSigmaRules, type SigmaEvent } from './index.ts';
import { base64Offsets, encodeUtf16 } from './encodings.ts';
import {
  PS_ENCODED_CMD,
  PS_MPPREFERENCE,
  SPEC_CORRELATION_EXAMPLE,
  SSHD_SUSP,
  ZEEK_RDP_PUBLIC,
} from './real-rules.fixtures.ts';

function engineOf(text: string, file: string) {
  const e = createSigmaEngine();
  e.load(parseSigmaRules(text, file));
  return e;
}
const ev = (logsource: SigmaEvent['logsource'], fields: Record<string, unknown>, id = 'x', timeMs = 0): SigmaEvent => ({
  id,
  timeMs,
  logsource,
  fields,
});
const titles = (ms: ReadonlyArray<{ rule: { title: string } }>) => ms.map((m) => m.rule.title);

describe('real SigmaHQ rules', () => {
  it('sshd keywords rule: a keyword anywhere in the event', () => {
    const [rule] = parseSigmaRules(SSHD_SUSP, 'lnx_sshd_susp_ssh.yml');
    expect(rule).toMatchObject({
      id: 'e76b413a-83d0-4b94-8e4c-85db4a5b8bdc',
      level: 'medium',
      tags: ['attack.initial-access', 'attack.t1190'],
      logsource: { product: 'linux', service: 'sshd' },
    });
    const e = engineOf(SSHD_SUSP, 'f.yml');
    const ls = { product: 'linux', service: 'sshd' };
    expect(titles(e.evaluate(ev(ls, { message: 'sshd[811]: error: Corrupted MAC on input. [preauth]' })))).toEqual([
      'Suspicious OpenSSH Daemon Error',
    ]);
    expect(e.evaluate(ev(ls, { message: 'sshd[811]: Accepted publickey for bob' }))).toEqual([]);
    expect(e.evaluate(ev({ product: 'linux', service: 'auth' }, { message: 'Corrupted MAC on input' }))).toEqual([]);
  });

  it('zeek public RDP listener: not of a cidr selection', () => {
    const e = engineOf(ZEEK_RDP_PUBLIC, 'f.yml');
    const ls = { product: 'zeek', service: 'rdp' };
    expect(e.evaluate(ev(ls, { 'id.orig_h': '8.8.8.8' }))).toHaveLength(1);
    expect(e.evaluate(ev(ls, { 'id.orig_h': '192.168.3.4' }))).toEqual([]);
    expect(e.evaluate(ev(ls, { 'id.orig_h': 'fe80::1' }))).toEqual([]);
    expect(e.evaluate(ev(ls, { 'id.orig_h': '2620:83:8000::17' }))).toEqual([]);
  });

  it('encoded PowerShell: list of maps, all of / 1 of patterns, filters', () => {
    const e = engineOf(PS_ENCODED_CMD, 'f.yml');
    const ls = { product: 'windows', category: 'process_creation' };
    const hit = (fields: Record<string, unknown>) => e.evaluate(ev(ls, fields)).length === 1;
    expect(
      hit({
        Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        CommandLine: 'powershell -enc JABjAGwAaQBlAG4AdAA=',
      }),
    ).toBe(true);
    expect(hit({ OriginalFileName: 'pwsh.dll', CommandLine: 'pwsh -e SQBFAFgAIAAo' })).toBe(true);
    expect(
      hit({ Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell -enc JABj -ExecutionPolicy remotesigned ' }),
    ).toBe(false);
    expect(hit({ Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell -command Get-Date' })).toBe(false);
    expect(hit({ Image: 'C:\\x\\notepad.exe', CommandLine: 'x -enc JABj' })).toBe(false);
    expect(hit({ Image: 'C:\\x\\powershell.exe', CommandLine: 'powershell.exe -ENCOD AAAA' })).toBe(true);
  });

  it('MpPreference rule: our wide+base64offset gives exactly the strings the authors computed', () => {
    const listed = (PS_MPPREFERENCE.match(/'([A-Za-z0-9+/]{40,})'/g) ?? []).map((s) => s.slice(1, -1));
    expect(listed).toHaveLength(12);
    const ours = ['Add-MpPreference ', 'Set-MpPreference ', 'add-mppreference ', 'set-mppreference '].flatMap((v) =>
      base64Offsets(encodeUtf16(v, 'utf16le')),
    );
    expect(ours).toEqual(listed);
    const e = engineOf(PS_MPPREFERENCE, 'f.yml');
    const cmd = `powershell -e ${Buffer.from('Set-MpPreference -DisableRealtimeMonitoring $true', 'utf16le').toString('base64')}`;
    expect(e.evaluate(ev({ product: 'windows', category: 'process_creation' }, { CommandLine: cmd }))).toHaveLength(1);
    const utf8 = `x ${Buffer.from('  add-mppreference -ExclusionPath C:\\').toString('base64')}`;
    expect(e.evaluate(ev({ product: 'windows', category: 'process_creation' }, { CommandLine: utf8 }))).toHaveLength(1);
  });
});

describe('the correlation example of the Sigma specification', () => {
  it('parses the four-document chain and fires on many failures followed by a success', () => {
    const rules = parseSigmaRules(SPEC_CORRELATION_EXAMPLE, 'spec-example.yml');
    expect(rules.map((r) => [r.kind, r.name ?? null])).toEqual([
      ['correlation', null],
      ['correlation', 'multiple_failed_login'],
      ['detection', 'failed_login'],
      ['detection', 'successful_login'],
    ]);
    const e = createSigmaEngine();
    e.load(rules);
    const ls = { product: 'windows', service: 'security' };
    for (let i = 0; i < 10; i++)
      expect(e.evaluate(ev(ls, { EventID: 4625, User: 'bob' }, `f${i}`, i * 1000))).toEqual([]);
    expect(e.evaluate(ev(ls, { EventID: 4624, User: 'alice' }, 'other', 11_000))).toEqual([]);
    const m = e.evaluate(ev(ls, { EventID: 4624, User: 'bob' }, 'ok', 12_000));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({
      kind: 'correlation',
      rule: { id: 'b180ead8-d58f-40b2-ae54-c8940995b9b6', level: 'high' },
      group: { User: 'bob' },
    });
    expect(m[0]?.eventIds).toEqual([...Array.from({ length: 10 }, (_, i) => `f${i}`), 'ok']);
  });
});
