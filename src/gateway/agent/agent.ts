import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { MsecError, errorMessage, isMsecError } from '../../core/errors.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { FileInput } from './file-input.ts';
import { AgentHealth } from './health.ts';
import type { LineType } from './lines.ts';
import { agentMetrics, serveMetrics } from './metrics.ts';
import type { RecordSink } from './records.ts';
import { Registry } from './registry.ts';
import { Shipper, type ShipperOptions } from './shipper.ts';
import { SocketInput } from './socket-input.ts';
import { Spool, type SpoolFullPolicy } from './spool.ts';

export type AgentInput = { kind: 'file'; path: string; type: LineType } | { kind: 'socket'; path: string };

export type AgentLog = ShipperOptions['log'];

export interface AgentOptions {
  stateDir: string;
  sensor: string;
  org?: string;
  version: string;
  inputs: AgentInput[];
  to: URL;
  token?: string;
  tls?: ShipperOptions['tls'];
  gzip?: boolean;
  batchMaxEvents?: number;
  batchMaxBytes?: number;
  lingerMs?: number;
  pollMs?: number;
  /** How often the spool is fsynced and the registry saved (a power loss re-reads at most this much). */
  commitMs?: number;
  spoolMaxBytes?: number;
  whenSpoolFull?: SpoolFullPolicy;
  maxLineBytes?: number;
  fromEnd?: boolean;
  closeInactiveMs?: number;
  metrics?: { host: string; port: number };
  statusIntervalMs?: number;
  log?: AgentLog;
}

export interface RunningAgent {
  health: AgentHealth;
  metricsPort?: number;
  /** Refreshes and returns the status document (also written to `<state-dir>/status.json`). */
  status(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts the agent: inputs -> durable spool -> shipper, with health as metrics and a status file. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const log: AgentLog = o.log ?? (() => {});
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
  const releaseLock = lockStateDir(o.stateDir);
  const health = new AgentHealth();
  const registry = Registry.open(o.stateDir);
  const spool = Spool.open(join(o.stateDir, 'spool'), {
    maxBytes: o.spoolMaxBytes ?? 256 * 1024 * 1024,
    whenFull: o.whenSpoolFull ?? 'block',
    onFull: ({ policy, dropped }) => {
      if (dropped > 0) {
        health.dropped += dropped;
        log('error', 'spool full: events dropped', { policy, dropped, droppedTotal: health.dropped });
      } else {
        health.spoolFullEpisodes++;
        log('warn', 'spool full: reading paused until the receiver catches up', { policy });
      }
    },
  });
  let commitHook: () => void = () => {};
  const sink: RecordSink = {
    async write(records, type, skipped) {
      health.countSkipped(skipped);
      if (records.ends.length === 0) return 0;
      let taken: number;
      try {
        taken = await spool.append(records);
      } catch (err) {
        if (isMsecError(err) && err.code === 'GATEWAY_SPOOL_DISK_FULL') health.diskFullErrors++;
        health.error(isMsecError(err) ? err.code : 'GATEWAY_SPOOL_WRITE_FAILED', errorMessage(err));
        throw err;
      }
      health.read[type] += taken;
      commitHook();
      return taken;
    },
  };
  const maxLineBytes = o.maxLineBytes ?? 1024 * 1024;
  const notice = (what: string, details: Record<string, unknown>) => log('info', what, details);
  const files: FileInput[] = [];
  const sockets: SocketInput[] = [];
  for (const input of o.inputs) {
    if (input.kind === 'file') {
      files.push(
        new FileInput(
          {
            path: input.path,
            type: input.type,
            sensor: o.sensor,
            maxLineBytes,
            fromEnd: o.fromEnd,
            closeInactiveMs: o.closeInactiveMs ?? 5000,
            onNotice: notice,
          },
          registry,
          sink,
        ),
      );
    } else {
      sockets.push(new SocketInput({ path: input.path, sensor: o.sensor, maxLineBytes, onNotice: notice }, sink));
    }
  }
  const shipper = new Shipper(
    spool,
    {
      url: o.to,
      token: o.token,
      tls: o.tls,
      gzip: o.gzip ?? false,
      agent: { name: o.sensor, version: o.version, ...(o.org ? { org: o.org } : {}) },
      maxEvents: o.batchMaxEvents ?? 2000,
      maxBytes: o.batchMaxBytes ?? 4 * 1024 * 1024,
      lingerMs: o.lingerMs ?? 200,
      requestTimeoutMs: 30_000,
      backoffBaseMs: 250,
      backoffMaxMs: 30_000,
      authBackoffMaxMs: 300_000,
      log,
    },
    health,
  );

  const refresh = () => {
    health.spoolEvents = spool.events;
    health.spoolBytes = spool.bytes;
    health.lagBytes = files.reduce((n, f) => n + f.lagBytes(), 0);
    health.truncations = files.reduce((n, f) => n + f.truncations, 0);
    health.lagSeconds = health.spoolEvents > 0 ? (Date.now() - (health.lastSuccessMs || health.startedMs)) / 1000 : 0;
  };
  const status = () => {
    refresh();
    const mem = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1024 / 102.4) / 10;
    return {
      pid: process.pid,
      sensor: o.sensor,
      version: o.version,
      to: o.to.origin + o.to.pathname,
      ...health.snapshot(),
      memoryMb: {
        rss: mb(mem.rss),
        heapUsed: mb(mem.heapUsed),
        heapTotal: mb(mem.heapTotal),
        external: mb(mem.external),
        arrayBuffers: mb(mem.arrayBuffers),
      },
    };
  };
  const writeStatus = () => {
    try {
      writeFileAtomic(join(o.stateDir, 'status.json'), JSON.stringify(status(), null, 2));
    } catch (err) {
      log('warn', 'status file not written', { error: errorMessage(err) });
    }
  };

  let stopping = false;
  let metricsServer: Server | undefined;
  try {
    for (const s of sockets) await s.start();
    if (o.metrics) metricsServer = await serveMetrics(agentMetrics(health, refresh), o.metrics.host, o.metrics.port);
  } catch (err) {
    for (const s of sockets) await s.stop();
    spool.close();
    releaseLock();
    throw err;
  }
  shipper.start();
  const pollMs = o.pollMs ?? 250;
  const commitMs = o.commitMs ?? 1000;
  let lastCommit = Date.now();
  /** Spool first, then offsets: the registry on disk never claims lines the spool could lose. */
  const commit = () => {
    spool.sync();
    registry.flush();
    lastCommit = Date.now();
  };
  const maybeCommit = () => {
    if (Date.now() - lastCommit < commitMs) return;
    try {
      commit();
    } catch (err) {
      health.error(isMsecError(err) ? err.code : 'GATEWAY_COMMIT_FAILED', errorMessage(err));
    }
  };
  commitHook = maybeCommit;
  const reading = (async () => {
    let lastErrorLog = 0;
    while (!stopping) {
      maybeCommit();
      for (const f of files) {
        try {
          await f.poll();
        } catch (err) {
          // Disk full and the like: nothing advanced, the next poll reads the same lines again.
          if (Date.now() - lastErrorLog > 5000) {
            lastErrorLog = Date.now();
            log('error', 'reading paused', {
              code: isMsecError(err) ? err.code : 'GATEWAY_READ_FAILED',
              error: errorMessage(err),
            });
          }
        }
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  writeStatus();
  const statusTimer = setInterval(writeStatus, o.statusIntervalMs ?? 2000);
  statusTimer.unref();

  return {
    health,
    metricsPort: metricsServer ? (metricsServer.address() as { port: number }).port : undefined,
    status,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(statusTimer);
      spool.close(); // wakes a reader blocked on a full spool
      await reading;
      for (const s of sockets) await s.stop();
      await shipper.stop();
      for (const f of files) f.close();
      try {
        commit();
      } catch (err) {
        log('error', 'final commit failed; the lines after the last commit will be read again', {
          error: errorMessage(err),
        });
      }
      writeStatus();
      await new Promise<void>((r) => (metricsServer ? metricsServer.close(() => r()) : r()));
      releaseLock();
    },
  };
}

/** One agent per state directory: a second would ship the same offsets twice over. */
function lockStateDir(dir: string): () => void {
  const path = join(dir, 'agent.lock');
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new MsecError('GATEWAY_STATE_LOCKED', `state dir ${dir} is in use by agent process ${pid}`);
      }
      unlinkSync(path); // left by a process that died (kill -9)
    }
  }
  throw new MsecError('GATEWAY_STATE_LOCKED', `cannot lock state dir ${dir}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
