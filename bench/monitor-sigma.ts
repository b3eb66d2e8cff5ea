/**
 * Events/s evaluated by the Sigma engine against the shipped rule pack, beside JSON.parse of the same
 * EVE lines, on one core in the same run. The lines are real EVE records (../shared/testdata/eve-samples
 * when present, else a real flow and alert record built in) replayed with varied addresses and ports,
 * so correlations see many groups; 1/8 of them are platform events (failed logins, refused readings).
 *
 * Two streams: sources drawn from a pool of `--sources` addresses (default 5000, a busy city), and a
 * flood where every event has a new source (spoofed SYN flood: every per-source correlation makes a
 * new group and the group caps evict all the time). Reported for each: JSON.parse alone (the
 * reference), evaluate alone on pre-built events, and parse + map to the SigmaEvent shape (with the
 * tests' stand-in normaliser, test/helpers/eve-sigma.ts, not the monitor's) + evaluate.
 * Usage: run(['--events', '200000', '--rounds', '5', '--sources', '5000']).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSigmaEngine, loadRulePack, type SigmaEvent } from '../src/monitor/sigma/index.ts';
import { eveToSigmaEvent, platformEvent } from '../test/helpers/eve-sigma.ts';
import { TESTDATA_ROOT } from '../test/helpers/testdata.ts';
import { argValue, median } from './helpers/measure.ts';

const BUILTIN = [
  '{"timestamp":"2021-04-28T10:30:44.783363+0000","flow_id":67089013800961,"event_type":"flow","src_ip":"198.73.11.166","src_port":13198,"dest_ip":"10.10.10.10","dest_port":25565,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"start":"2021-04-28T10:30:24.998660+0000","end":"2021-04-28T10:30:24.998660+0000","age":0,"state":"new","reason":"shutdown","alerted":false},"tcp":{"tcp_flags":"02","tcp_flags_ts":"02","tcp_flags_tc":"00","syn":true,"state":"syn_sent"}}',
  '{"timestamp":"2023-09-18T06:13:41.532140+0000","flow_id":1676750115612680,"event_type":"alert","src_ip":"142.11.240.191","src_port":35361,"dest_ip":"192.168.100.237","dest_port":49175,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2045001,"rev":1,"signature":"ET ATTACK_RESPONSE Win32/LeftHook Stealer Browser Extension Config Inbound","category":"A Network Trojan was detected","severity":1}}',
];

function templates(): Record<string, unknown>[] {
  const dir = join(TESTDATA_ROOT, 'eve-samples');
  if (!existsSync(join(dir, 'INDEX.json'))) return BUILTIN.map((l) => JSON.parse(l) as Record<string, unknown>);
  const index = JSON.parse(readFileSync(join(dir, 'INDEX.json'), 'utf8')) as { file: string; format?: string }[];
  return index
    .filter((e) => e.format?.startsWith('NDJSON'))
    .flatMap((e) =>
      readFileSync(join(dir, e.file), 'utf8')
        .split('\n')
        .filter((l) => l.trim()),
    )
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => r['event_type'] !== 'stats');
}

// A full collection before each timed loop, so each loop pays for its own garbage only (not for the
// garbage the previous loop left behind).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Deterministic pseudo-random numbers, so every run replays the same stream. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export async function run(args: string[]): Promise<void> {
  const n = argValue(args, '--events', 200_000);
  const rounds = argValue(args, '--rounds', 5);
  const pool = argValue(args, '--sources', 5000);
  const base = templates();
  console.log(
    `events: ${n} per stream (${base.length} real EVE templates, 1/8 platform events), rounds: ${rounds} (median), one core`,
  );
  await scenario(`sources from a pool of ${pool}`, n, rounds, base, pool);
  await scenario('flood: a new source per event', n, rounds, base, 0);
}

async function scenario(
  label: string,
  n: number,
  rounds: number,
  base: Record<string, unknown>[],
  pool: number,
): Promise<void> {
  const rnd = lcg(42);
  const source = (): string => {
    const r = pool > 0 ? Math.floor(rnd() * pool) : Math.floor(rnd() * 2 ** 31);
    return `${((r >>> 22) % 223) + 1}.${(r >>> 14) & 255}.${(r >>> 6) & 255}.${r & 63}`;
  };
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const lines: string[] = [];
  const platform = new Map<number, SigmaEvent>();
  for (let i = 0; i < n; i++) {
    const timeMs = t0 + Math.floor(i / 20); // 20k events per second of event time
    if (i % 8 === 7) {
      const kind = i % 3 === 0 ? 'login_failed' : 'reading_refused';
      platform.set(
        i,
        platformEvent(`p${i}`, timeMs, kind === 'login_failed' ? 'iam' : 'hub', kind, {
          source: { ip: `203.0.113.${Math.floor(rnd() * 250)}` },
          device: { id: `dev-${Math.floor(rnd() * 1000)}` },
        }),
      );
      lines.push('');
      continue;
    }
    const rec = { ...(base[Math.floor(rnd() * base.length)] as Record<string, unknown>) };
    rec['timestamp'] = new Date(timeMs).toISOString();
    rec['src_ip'] = source();
    if (typeof rec['dest_port'] === 'number') rec['dest_port'] = Math.floor(rnd() * 2000);
    lines.push(JSON.stringify(rec));
  }
  const rules = loadRulePack();
  const where = { org: 'santander', observer: 'gw-santander-1' };
  const toEvent = (i: number): SigmaEvent =>
    platform.get(i) ?? eveToSigmaEvent(JSON.parse(lines[i] as string) as Record<string, unknown>, `e${i}`, where);
  const prebuilt = lines.map((_, i) => toEvent(i));

  const rate = (fn: () => void): number => {
    collect();
    const start = process.hrtime.bigint();
    fn();
    return n / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const parseOnly: number[] = [];
  const evalOnly: number[] = [];
  const endToEnd: number[] = [];
  let matches = 0;
  let stats = { rules: 0, correlations: 0, groups: 0, capped: 0 };
  for (let r = 0; r < rounds; r++) {
    let sink = 0;
    parseOnly.push(
      rate(() => {
        for (let i = 0; i < n; i++)
          if (!platform.has(i)) sink += (JSON.parse(lines[i] as string) as { flow_id?: number }).flow_id ? 1 : 0;
      }),
    );
    const a = createSigmaEngine();
    a.load(rules);
    matches = 0;
    evalOnly.push(
      rate(() => {
        for (const ev of prebuilt) matches += a.evaluate(ev).length;
      }),
    );
    stats = a.stats();
    const b = createSigmaEngine();
    b.load(rules);
    endToEnd.push(
      rate(() => {
        for (let i = 0; i < n; i++) b.evaluate(toEvent(i));
      }),
    );
    if (sink < 0) console.log(sink);
  }
  const p = median(parseOnly);
  const e = median(evalOnly);
  const x = median(endToEnd);
  const fmt = (v: number): string => `${Math.round(v).toLocaleString('en-US')} events/s`;
  console.log(`\n### ${label}; rules: ${stats.rules} (${stats.correlations} correlations)`);
  console.log(`JSON.parse of the lines (reference):         ${fmt(p)}`);
  console.log(`Sigma evaluate (pre-built events):           ${fmt(e)}   ratio to JSON.parse ${(e / p).toFixed(2)}`);
  console.log(`JSON.parse + stand-in normaliser + evaluate: ${fmt(x)}   ratio to JSON.parse ${(x / p).toFixed(2)}`);
  console.log(`matches per round: ${matches}; groups at end: ${stats.groups}; capped: ${stats.capped}`);
}
