import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

/** A running software TPM (swtpm) for tests; its state directory survives `restart()`. */
export interface SwtpmInstance {
  host: string;
  /** TPM command port (raw TPM 2.0 command/response stream). */
  port: number;
  /** Control channel port (always port + 1, as the tpm2-tools swtpm TCTI expects). */
  ctrlPort: number;
  stateDir: string;
  /** TCTI string for tpm2-tools cross-checks. */
  tcti: string;
  /** Stops swtpm and removes its state directory (unless it was passed in). */
  stop(): Promise<void>;
  /** Stops and starts swtpm again on the same ports and state (like a device reboot). */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** The swtpm TCTI of tpm2-tools expects the control channel on port + 1. */
async function freePortPair(): Promise<{ port: number; ctrlPort: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return { port, ctrlPort: port + 1 };
  }
  throw new Error('no two consecutive free TCP ports');
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`swtpm exited early (${child.exitCode}): ${stderr()}`);
    if (await tryConnect(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`swtpm did not listen on ${port}: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts swtpm on free ports with a fresh (or given) state directory and waits until it accepts
 * connections. The TPM is already started up (flag startup-clear).
 */
export async function startSwtpm(options: { stateDir?: string } = {}): Promise<SwtpmInstance> {
  const ownsDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'msec-swtpm-'));
  let { port, ctrlPort } = await freePortPair();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    let errText = '';
    const proc = spawn(
      'swtpm',
      [
        'socket',
        '--tpm2',
        '--server',
        `type=tcp,port=${port},bindaddr=${HOST}`,
        '--ctrl',
        `type=tcp,port=${ctrlPort},bindaddr=${HOST}`,
        '--tpmstate',
        `dir=${stateDir}`,
        '--flags',
        'not-need-init,startup-clear',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr?.on('data', (chunk: Buffer) => {
      errText += chunk.toString();
    });
    child = proc;
    await waitUntilListening(port, proc, () => errText);
  };

  // Another process may grab the ports between probing and swtpm binding them: retry on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      ({ port, ctrlPort } = await freePortPair());
    }
  }
  return {
    host: HOST,
    port,
    ctrlPort,
    stateDir,
    tcti: `swtpm:host=${HOST},port=${port}`,
    async stop() {
      if (child) await stopChild(child);
      if (ownsDir) rmSync(stateDir, { recursive: true, force: true });
    },
    async restart() {
      if (child) await stopChild(child);
      await launch();
    },
  };
}
