/**
 * Running real Suricata offline from tests (`-r pcap -k none -l tmpdir`) with a config generated
 * by msec, reading its eve.json, and checking suricata-verify `test.yaml` oracles against it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { killRunningSuricata, runSuricata } from '../../src/gateway/ids/suricata.ts';

export type EveRecord = Record<string, any>;

export interface OfflineRun {
  records: EveRecord[];
  output: string;
  code: number | null;
}

/** Temp dirs made by this helper, removed (and any Suricata still running killed) by `cleanupSuricataRuns` in afterAll. */
const made: string[] = [];

export function scratchDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupSuricataRuns(): void {
  killRunningSuricata();
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function runOffline(config: string, pcap: string, extraArgs: readonly string[] = []): Promise<OfflineRun> {
  const logDir = scratchDir('msec-eve-');
  const run = await runSuricata(
    'suricata',
    ['-c', config, '-r', pcap, '-k', 'none', '-l', logDir, ...extraArgs],
    180_000,
  );
  let text = '';
  try {
    text = readFileSync(join(logDir, 'eve.json'), 'utf8');
  } catch {
    /* no eve.json: Suricata failed, the output says why */
  }
  const records = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EveRecord);
  return { records, output: run.output, code: run.code };
}

export function valueAt(record: EveRecord, dotted: string): unknown {
  let cur: unknown = record;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface VerifyCheck {
  count: number;
  match: Record<string, unknown>;
}

export interface UpstreamTest {
  args: string[];
  checks: VerifyCheck[];
}

/** A suricata-verify test.yaml: its Suricata arguments (each item may hold several) and its filter checks. */
export function readUpstreamTest(file: string): UpstreamTest {
  const doc = parse(readFileSync(file, 'utf8')) as { args?: string[]; checks?: { filter?: VerifyCheck }[] };
  const args = (doc.args ?? []).flatMap((a) => String(a).split(/\s+/).filter(Boolean));
  const checks = (doc.checks ?? []).flatMap((c) => (c.filter ? [c.filter] : []));
  return { args, checks };
}

/** How many records match every key path of a check (suricata-verify compares values by equality). */
export function countMatching(records: readonly EveRecord[], match: Record<string, unknown>): number {
  return records.filter((r) => Object.entries(match).every(([k, v]) => valueAt(r, k) === v)).length;
}
