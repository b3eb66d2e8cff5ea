import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from './net.ts';
import { REPO_ROOT } from './testdata.ts';

export interface NodeRedRuntime {
  base: string;
  log(): string;
  stop(): void;
}

/**
 * Starts the real Node-RED runtime (node_modules/node-red) on a free 127.0.0.1 port with `flows`,
 * a private user directory and no editor or admin API; resolves once the flows have started.
 * Spawned detached so stop() kills the whole process group.
 */
export async function startNodeRed(
  userDir: string,
  flows: string,
  env: NodeJS.ProcessEnv = {},
): Promise<NodeRedRuntime> {
  const port = await freePort();
  const settings = join(userDir, 'settings.js');
  const conf = {
    uiHost: '127.0.0.1',
    uiPort: port,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    userDir,
    flowFile: flows,
    credentialSecret: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    functionExternalModules: false,
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  };
  writeFileSync(settings, `module.exports = ${JSON.stringify(conf)};\n`);
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'node-red', 'red.js'), '--settings', settings, '--userDir', userDir],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const stop = () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitFor(async () => log.includes('Started flows') || child.exitCode !== null, 90_000, 'Node-RED to start');
    if (child.exitCode !== null) throw new Error(`Node-RED exited: ${log.slice(-600)}`);
  } catch (err) {
    stop();
    throw err;
  }
  return { base: `http://127.0.0.1:${port}`, log: () => log, stop };
}
