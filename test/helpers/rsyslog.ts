import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.ts';

/** One parsed message as rsyslog wrote it (its own parse of our RFC 5424 text). */
export interface ReceivedSyslog {
  pri: string;
  ts: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  sd: string;
  msg: string;
}

export interface Rsyslog {
  port: number;
  dir: string;
  /** What omfile has written so far, one object per message. */
  received(): ReceivedSyslog[];
  /** Stops rsyslogd (its process group) and waits for the port to close. */
  stop(): Promise<void>;
  /** Starts it again on the same port and output file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface RsyslogTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A real Debian rsyslogd in a temp dir: imtcp on a free 127.0.0.1 port (gtls when `tls` is
 * given), omfile writing each parsed message as one JSON line.
 */
export async function startRsyslog(tls?: RsyslogTls): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'msec-rsyslog-'));
  const port = await freePort();
  const out = join(dir, 'out.jsonl');
  const conf = join(dir, 'rsyslog.conf');
  const pidFile = join(dir, 'rsyslogd.pid');
  const driver = tls
    ? `global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${tls.caFile}" DefaultNetstreamDriverCertFile="${tls.certFile}" DefaultNetstreamDriverKeyFile="${tls.keyFile}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`
    : `module(load="imtcp")`;
  writeFileSync(
    conf,
    `global(workDirectory="${dir}")
${driver}
input(type="imtcp" address="127.0.0.1" port="${port}")
template(name="j" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="ts" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
*.* action(type="omfile" file="${out}" template="j" flushOnTXEnd="on" asyncWriting="off")
`,
  );
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    rmSync(pidFile, { force: true });
    const c = spawn('rsyslogd', ['-n', '-f', conf, '-i', pidFile], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(
      async () => {
        if (c.exitCode !== null) throw new Error(`rsyslogd exited ${c.exitCode}: ${log}`);
        return portOpen(port);
      },
      60_000,
      `rsyslogd listening on ${port}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${log}`);
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    try {
      process.kill(-c.pid!, 'SIGTERM');
    } catch {
      // gone already
    }
    await exited;
    await waitFor(async () => !(await portOpen(port)), 30_000, 'rsyslog port closed');
  };
  await start();
  return {
    port,
    dir,
    received() {
      if (!existsSync(out)) return [];
      return readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as ReceivedSyslog);
    },
    stop,
    restart: start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
