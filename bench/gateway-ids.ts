/**
 * Suricata rule-load time: our IoT ruleset next to the rules Suricata ships (Debian:
 * /etc/suricata/rules) and, where the shared test data is present, the ET Open telnet + SCADA
 * rules, all measured with `suricata -T` on the same generated config in the same run. Prints the
 * median of N rounds, the load cost per rule above the engine's bare start, and ratios.
 * Usage: run(['--rounds', '5']).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateIdsConfig } from '../src/gateway/ids/generate.ts';
import { IOT_RULES } from '../src/gateway/ids/rules/index.ts';
import { findSuricata, runSuricata } from '../src/gateway/ids/suricata.ts';
import { argValue, median } from './helpers/measure.ts';

function concatRules(dir: string, files?: string[]): { text: string; rules: number } {
  const names =
    files ??
    readdirSync(dir)
      .filter((f) => f.endsWith('.rules'))
      .sort();
  const text = names.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  return { text, rules: text.split('\n').filter((l) => /^(alert|drop|pass|reject)\s/.test(l)).length };
}

export async function run(args: string[]): Promise<void> {
  const rounds = argValue(args, '--rounds', 5);
  const suricata = findSuricata();
  const work = mkdtempSync(join(tmpdir(), 'msec-bench-ids-'));
  try {
    const cfg = await generateIdsConfig({ outDir: join(work, 'cfg'), verify: false });
    const sets: { name: string; rules: number; file?: string }[] = [
      { name: 'engine only (empty rule file)', rules: 0, file: join(work, 'empty.rules') },
    ];
    writeFileSync(join(work, 'empty.rules'), '');
    sets.push({ name: `msec IoT ruleset`, rules: IOT_RULES.length });
    const bundledDir = `${suricata.configDir}/rules`;
    if (existsSync(bundledDir)) {
      const b = concatRules(bundledDir);
      writeFileSync(join(work, 'bundled.rules'), b.text);
      sets.push({ name: `Suricata bundled (${bundledDir})`, rules: b.rules, file: join(work, 'bundled.rules') });
    }
    const etDir = resolve(
      process.env.MSEC_TESTDATA_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared', 'testdata'),
      'ids',
      'et-open-rules',
    );
    if (existsSync(etDir)) {
      const e = concatRules(etDir, ['emerging-telnet.rules', 'emerging-scada.rules']);
      writeFileSync(join(work, 'et.rules'), e.text);
      sets.push({ name: 'ET Open telnet + SCADA (shared testdata)', rules: e.rules, file: join(work, 'et.rules') });
    }

    const times = new Map<string, number[]>(sets.map((s) => [s.name, []]));
    for (let i = 0; i < rounds; i++) {
      // Interleaved rounds: a burst of load on the shared machine hits every set alike.
      for (const s of sets) {
        const extra = s.file ? ['-S', s.file] : [];
        const r = await runSuricata(suricata.bin, ['-T', '-c', cfg.configPath, '-l', work, ...extra]);
        if (r.code !== 0) throw new Error(`suricata -T failed for ${s.name}: ${r.output.slice(-400)}`);
        times.get(s.name)!.push(r.ms);
      }
    }
    const med = (name: string) => median(times.get(name)!);
    const base = med(sets[0]!.name);
    const ours = med('msec IoT ruleset');
    console.log(`suricata ${suricata.version}, suricata -T, median of ${rounds} rounds`);
    const spread = (name: string) => Math.max(...times.get(name)!) - Math.min(...times.get(name)!);
    for (const s of sets) {
      const m = med(s.name);
      const delta = m - base;
      // Below the baseline's own round-to-round spread the rules cost nothing measurable.
      const cost = !s.rules
        ? `(spread ${spread(s.name).toFixed(0)} ms)`
        : delta > spread(sets[0]!.name)
          ? `+${delta.toFixed(0)} ms, ${((delta / s.rules) * 1000).toFixed(0)} µs/rule`
          : `+${delta.toFixed(0)} ms: within the engine's spread`;
      console.log(`${s.name.padEnd(48)} ${String(s.rules).padStart(5)} rules  ${m.toFixed(0).padStart(6)} ms  ${cost}`);
    }
    for (const s of sets.slice(2)) {
      const m = med(s.name);
      console.log(`RATIO suricata -T time, msec IoT / ${s.name}: ${(ours / m).toFixed(2)}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
