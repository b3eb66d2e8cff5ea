import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The CPUs this process may run on (Linux: Cpus_allowed_list of /proc/self/status). */
export function allowedCpus(): number[] {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Cpus_allowed_list:'));
  if (!line) throw new Error('no Cpus_allowed_list in /proc/self/status');
  return line
    .split(':')[1]!
    .trim()
    .split(',')
    .flatMap((part) => {
      const [a, b] = part.split('-').map(Number);
      return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
    });
}

/** Pins this process and all its threads (the libuv pool included) to one CPU. */
export function pinToOneCpu(cpu = allowedCpus()[0]!): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/**
 * The label a benchmark prints about where it ran, from the affinity it actually has (not from
 * what it was asked for): "cores: 1 (pinned to cpu 0)" or "cores: N (not pinned: cpus 0-1)".
 */
export function coresLabel(cpus = allowedCpus()): string {
  return cpus.length === 1
    ? `cores: 1 (pinned to cpu ${cpus[0]})`
    : `cores: ${cpus.length} (not pinned: cpus ${cpus.join(',')})`;
}
