import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './testdata.ts';

export const MSEC_BIN = join(REPO_ROOT, 'bin', 'msec.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Process groups of every msec child still running: killed when the test process exits, failed or not. */
const live = new Set<number>();
function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
/** Kills every msec child still running; after each test file (vitest setup) and when the process exits. */
export function killLiveChildren(): void {
  for (const pid of live) killGroup(pid);
  live.clear();
}
process.once('exit', killLiveChildren);
function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  live.add(pid);
  child.once('close', () => live.delete(pid));
}

/** Kills a child started by spawnMsec with its whole process group. */
export function killMsec(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  killGroup(child.pid, signal);
}

/** Runs `msec ARGS` as a user would, in a child process (its own process group, killed on timeout). */
export function runMsec(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MSEC_BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child.pid), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Starts a long-running `msec` command; the caller stops it. */
export function spawnMsec(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MSEC_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  track(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
