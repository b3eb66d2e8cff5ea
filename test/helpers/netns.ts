import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './testdata.ts';

const exec = promisify(execFile);

export async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await exec(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  return stdout;
}

/** Namespaces made by one test run, with unique names, and everything started inside them. */
export class NetnsLab {
  readonly tag = randomBytes(3).toString('hex');
  readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];

  name(role: string): string {
    return `msec-${role}-${this.tag}`;
  }

  async add(role: string): Promise<string> {
    const ns = this.name(role);
    await sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two of our namespaces, each end with its address of a /30. */
  async link(a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string): Promise<void> {
    await sh('ip', ['-n', a, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
    await sh('ip', ['-n', a, 'addr', 'add', `${aAddr}/30`, 'dev', aIf]);
    await sh('ip', ['-n', b, 'addr', 'add', `${bAddr}/30`, 'dev', bIf]);
    await sh('ip', ['-n', a, 'link', 'set', aIf, 'up']);
    await sh('ip', ['-n', b, 'link', 'set', bIf, 'up']);
  }

  exec(ns: string, cmd: string, args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
  }

  /** Runs the port probe helper inside `ns`. */
  async probe(ns: string, request: Record<string, unknown>): Promise<any> {
    const out = await this.exec(ns, process.execPath, [
      '--import',
      'tsx',
      join(REPO_ROOT, 'test', 'helpers', 'netns-probe.ts'),
      JSON.stringify(request),
    ]);
    return JSON.parse(out.trim().split('\n').pop()!);
  }

  /** Starts a long-running process in `ns` (its own process group, killed in cleanup). */
  spawn(ns: string, cmd: string, args: string[]): { child: ChildProcess; output: () => string } {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    this.children.push(child);
    return { child, output: () => out };
  }

  async cleanup(): Promise<void> {
    for (const c of this.children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of this.namespaces) {
      // Deleting a namespace removes its veth ends; processes still in it would keep it alive.
      const pids = await sh('ip', ['netns', 'pids', ns]).catch(() => '');
      for (const pid of pids.split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  }
}
