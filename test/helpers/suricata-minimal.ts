import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a real Suricata is installed (CI installs it from bookworm-backports). */
export function suricataAvailable(): boolean {
  return spawnSync('suricata', ['-V'], { encoding: 'utf8' }).status === 0;
}

/**
 * A minimal Suricata configuration for offline runs: EVE with alert metadata and the record types
 * the monitor normalises, and the IoT/ICS parsers Suricata 7 leaves off by default. Suricata fills
 * in every other default.
 */
export function minimalSuricataYaml(logDir: string): string {
  return `%YAML 1.1
---
default-log-dir: ${logDir}
classification-file: /etc/suricata/classification.config
reference-config-file: /etc/suricata/reference.config
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      community-id: yes
      types:
        - alert:
            metadata: yes
        - anomaly
        - flow
        - mqtt
        - modbus
        - enip
        - dnp3
app-layer:
  protocols:
    modbus:
      enabled: yes
      detection-ports:
        dp: 502
    enip:
      enabled: yes
      detection-ports:
        dp: 44818
        sp: 44818
    dnp3:
      enabled: yes
      detection-ports:
        dp: 20000
    mqtt:
      enabled: yes
    telnet:
      enabled: yes
`;
}

/** Runs `suricata -r pcap -k none` offline with the minimal config and returns the EVE lines. */
export async function runSuricata(opts: {
  pcap: string;
  rules: string;
  outDir: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<string[]> {
  const cfg = join(opts.outDir, 'suricata.yaml');
  writeFileSync(cfg, minimalSuricataYaml(opts.outDir));
  const args = [
    '-c',
    cfg,
    '-S',
    opts.rules,
    '-r',
    opts.pcap,
    '-l',
    opts.outDir,
    '-k',
    'none',
    '--runmode',
    'single',
    ...(opts.args ?? []),
  ];
  const child = spawn('suricata', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const eve = join(opts.outDir, 'eve.json');
  if (code !== 0 || !existsSync(eve)) throw new Error(`suricata exited ${code}: ${output.slice(-2000)}`);
  return readFileSync(eve, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Adds ATT&CK metadata to each rule of a file, as the IoT ruleset and ET Open tag theirs (`metadata: mitre_technique_id …`). */
export function withMitreMetadata(rulesText: string, technique: string, tactic: string): string {
  return rulesText
    .split('\n')
    .map((l) =>
      /^\s*(alert|drop|pass|reject)\s/.test(l)
        ? l.replace(/\bsid\s*:/, `metadata: mitre_technique_id ${technique}, mitre_tactic_id ${tactic}; sid:`)
        : l,
    )
    .join('\n');
}
