/** Finding the installed Suricata, checking its version, and running it (config test, offline). */
import { spawn, spawnSync } from 'node:child_process';
import { MsecError } from '../../core/errors.ts';

export const MIN_SURICATA = { major: 7, minor: 0 } as const;

export const SURICATA_INSTALL_HINT =
  'install Suricata 7 (Debian 12: add the bookworm-backports suite, then `apt-get install -t bookworm-backports suricata`; Ubuntu: ppa:oisf/suricata-stable)';

export interface SuricataInstall {
  bin: string;
  version: string;
  /** Where its classification.config and reference.config live (its sysconfdir). */
  configDir: string;
}

export function parseSuricataVersion(
  output: string,
): { major: number; minor: number; patch: number; text: string } | undefined {
  const m = /Suricata version (\d+)\.(\d+)(?:\.(\d+))?\S*/.exec(output);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3] ?? 0),
    text: m[0].replace('Suricata version ', ''),
  };
}

/** The Suricata to use: `MSEC_SURICATA`, else `suricata` on the PATH; at least 7.0. */
export function findSuricata(bin = process.env.MSEC_SURICATA || 'suricata'): SuricataInstall {
  const res = spawnSync(bin, ['-V'], { encoding: 'utf8', timeout: 30_000 });
  if (res.error) {
    throw new MsecError(
      'GATEWAY_SURICATA_MISSING',
      `Suricata ${MIN_SURICATA.major}.${MIN_SURICATA.minor} or newer is needed but "${bin}" cannot be run (${(res.error as NodeJS.ErrnoException).code ?? res.error.message}): ${SURICATA_INSTALL_HINT}`,
      {
        details: { bin, needed: `${MIN_SURICATA.major}.${MIN_SURICATA.minor}` },
      },
    );
  }
  const v = parseSuricataVersion(`${res.stdout}${res.stderr}`);
  if (!v)
    throw new MsecError(
      'GATEWAY_SURICATA_MISSING',
      `"${bin} -V" did not print a Suricata version: ${SURICATA_INSTALL_HINT}`,
      { details: { bin } },
    );
  if (v.major < MIN_SURICATA.major || (v.major === MIN_SURICATA.major && v.minor < MIN_SURICATA.minor)) {
    throw new MsecError(
      'GATEWAY_SURICATA_TOO_OLD',
      `Suricata ${v.text} is too old: ${MIN_SURICATA.major}.${MIN_SURICATA.minor} or newer is needed (MQTT, DNP3 and ENIP keywords, EVE community_id); ${SURICATA_INSTALL_HINT}`,
      {
        details: { bin, found: v.text, needed: `${MIN_SURICATA.major}.${MIN_SURICATA.minor}` },
      },
    );
  }
  const info = spawnSync(bin, ['--build-info'], { encoding: 'utf8', timeout: 30_000 });
  const dir = /Configuration directory:\s*(\S+)/.exec(info.stdout ?? '')?.[1] ?? '/etc/suricata/';
  return { bin, version: v.text, configDir: dir.replace(/\/$/, '') };
}

export interface SuricataRun {
  code: number | null;
  output: string;
  ms: number;
}

/** Suricata processes still running (process group leaders), so a caller can end them all. */
const live = new Set<number>();

/** Kills every Suricata this process started and that still runs (tests call it in afterAll). */
export function killRunningSuricata(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/** Runs Suricata with ARGS to completion (bounded by a timeout), collecting its console output. */
export function runSuricata(bin: string, args: readonly string[], timeoutMs = 120_000): Promise<SuricataRun> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) live.add(child.pid);
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.length > 1_000_000) output = output.slice(-500_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      if (child.pid !== undefined) live.delete(child.pid);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) live.delete(child.pid);
      resolvePromise({ code, output, ms: performance.now() - started });
    });
  });
}

/** The lines of Suricata's output that say why it refused a config or a rule. */
export function suricataErrors(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^(?:Error|E):|<Error>|\bError\b:/.test(l))
    .slice(0, 20);
}

/** `suricata -T`: loads the config and every rule, then exits; a non-zero status is a refusal. */
export async function testConfig(install: SuricataInstall, configPath: string, logDir: string): Promise<SuricataRun> {
  const run = await runSuricata(install.bin, ['-T', '-c', configPath, '-l', logDir]);
  if (run.code !== 0) {
    const errors = suricataErrors(run.output);
    throw new MsecError(
      'GATEWAY_CONFIG_REJECTED',
      `suricata -T refused ${configPath}: ${errors[0] ?? run.output.trim().split('\n').pop() ?? `exit ${run.code}`}`,
      {
        details: { config: configPath, exitCode: run.code, errors },
      },
    );
  }
  return run;
}
