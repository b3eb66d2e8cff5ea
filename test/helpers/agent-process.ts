import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MSEC_BIN } from './cli.ts';

/** A real `msec gateway agent` process in its own process group (so kill -9 takes it whole). */
export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGKILL to the whole group: no chance to flush anything. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (bounded), then SIGKILL. */
  stop(): Promise<void>;
}

export function spawnAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, [MSEC_BIN, 'gateway', 'agent', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  return {
    child,
    output: () => out,
    exited,
    async kill9() {
      signal('SIGKILL');
      await exited;
    },
    async stop() {
      signal('SIGTERM');
      const t = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The agent's status file, or undefined before it is first written. */
export function readStatus(stateDir: string): any {
  const p = join(stateDir, 'status.json');
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
}
