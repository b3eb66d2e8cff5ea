import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { REPO_ROOT } from './helpers/testdata.ts';

const VIDEO = join(REPO_ROOT, 'examples', 'video-release.lts');

describe('msec design synth', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-design-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the synthesised controller in MTSA form and a summary on stderr', async () => {
    const r = await runMsec(['design', 'synth', VIDEO]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Process:\n\tController\nStates:\n\t9\nTransitions:/);
    expect(r.stderr).toMatch(/controller Controller: 9 states, 10 transitions \(plant 13 states/);
  });

  it('lists what a specification defines', async () => {
    const r = await runMsec(['design', 'synth', join(REPO_ROOT, 'examples', 'production-cell.lts'), '--list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'process\tMACHINE',
      'composite\tCELL',
      'property\tTABLE',
      'property\tREPAIR_DRILL_FIRST',
      'controller\tCellController',
    ]);
  });

  it('writes --lts, --dot and the Node-RED flow', async () => {
    const out = (f: string) => join(dir, f);
    const r = await runMsec([
      'design',
      'synth',
      VIDEO,
      '--lts',
      out('c.lts'),
      '--dot',
      out('c.dot'),
      '--nodered',
      join(REPO_ROOT, 'examples', 'video-release.map.json'),
      '-o',
      out('flows.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out('c.lts'), 'utf8')).toContain('Q0\t= (http_in.user -> Q1');
    expect(readFileSync(out('c.dot'), 'utf8')).toContain('[label="http_in.user", style=dashed]');
    const flow = JSON.parse(readFileSync(out('flows.json'), 'utf8')) as { type: string }[];
    expect(flow.map((n) => n.type)).toContain('http in');
  });

  it('fails with the file, line and column of a syntax error (exit 1)', async () => {
    const bad = join(dir, 'bad.lts');
    writeFileSync(bad, 'P = (a -> P\n   | -> Q).\n');
    const r = await runMsec(['design', 'synth', bad, '--process', 'P']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${bad}:2:6: expected an action`);
  });

  it('says when no controller exists, with a counter-example', async () => {
    const spec = join(dir, 'lost.lts');
    writeFileSync(
      spec,
      'ENV = (start -> (fail -> ENV | ok -> ENV)).\nproperty NO_FAIL = (start -> ok -> NO_FAIL).\ncontrollerSpec G = {\n  safety = {NO_FAIL}\n  controllable = {start}\n  marking = {ok}\n  nonblocking\n}\ncontroller ||C = ENV~{G}.\n',
    );
    const r = await runMsec(['design', 'synth', spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no controller exists for G');
    // Not starting is safe but never reaches "ok"; starting lets the environment fail.
    expect(r.stderr).toMatch(/Counter-example from the initial state: \(no marked state reachable/);
  });

  it('stops at --max-states with the size reached', async () => {
    const r = await runMsec([
      'design',
      'synth',
      join(REPO_ROOT, 'examples', 'production-cell.lts'),
      '--max-states',
      '5',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/passed the limit of 5 states \(5 states reached\)/);
  });

  it('usage errors exit 2: -o without --nodered, an unreadable file, a bad --max-states', async () => {
    expect((await runMsec(['design', 'synth', VIDEO, '-o', join(dir, 'x.json')])).code).toBe(2);
    expect((await runMsec(['design', 'synth', join(dir, 'missing.lts')])).code).toBe(2);
    expect((await runMsec(['design', 'synth', VIDEO, '--max-states', 'lots'])).code).toBe(2);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});
