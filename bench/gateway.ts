/**
 * Gateway agent: eve lines shipped per second by a real `msec gateway agent` process (tail, spool with
 * fsync, batch, HTTP to a receiver in this process that only counts the events) against `JSON.parse` of the
 * same lines in this run (target ratio >= 0.5); and the agent's RSS while one million events sit in its
 * spool with the receiver down (target < 150 MB). Usage: run(['--lines', '300000', '--spooled', '1000000']).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argValue, median } from './helpers/measure.ts';

const MSEC_BIN = join(import.meta.dirname, '..', 'bin', 'msec.js');

function eveLine(i: number): string {
  const ts = new Date(1764547200000 + i).toISOString().replace('Z', '+0000');
  if (i % 3 === 0) {
    return JSON.stringify({
      timestamp: ts,
      flow_id: 1000000000000 + i,
      in_iface: 'ppp0',
      event_type: 'alert',
      src_ip: `203.0.113.${i % 250}`,
      src_port: 40000 + (i % 20000),
      dest_ip: '10.0.0.5',
      dest_port: 23,
      proto: 'TCP',
      community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: 9100001,
        rev: 1,
        signature: 'MSEC IoT telnet brute force',
        category: 'Attempted Administrator Privilege Gain',
        severity: 1,
        metadata: { mitre_technique_id: ['T1110'], msec_rule: ['telnet-bruteforce'] },
      },
      flow: { pkts_toserver: 6, pkts_toclient: 4, bytes_toserver: 412, bytes_toclient: 306, start: ts },
      host: 'gw-bench',
    });
  }
  return JSON.stringify({
    timestamp: ts,
    flow_id: 2000000000000 + i,
    in_iface: 'ppp0',
    event_type: i % 3 === 1 ? 'flow' : 'dns',
    src_ip: `198.51.100.${i % 250}`,
    src_port: 1024 + (i % 60000),
    dest_ip: '10.0.0.9',
    dest_port: 1883,
    proto: 'TCP',
    app_proto: 'mqtt',
    community_id: '1:yW3o1w8cUOfZ2Ypo2nE7iqwWzCI=',
    flow: {
      pkts_toserver: 12,
      pkts_toclient: 9,
      bytes_toserver: 1830,
      bytes_toclient: 712,
      start: ts,
      end: ts,
      age: 3,
      state: 'closed',
      reason: 'timeout',
      alerted: false,
    },
    tcp: { tcp_flags: '1b', syn: true, fin: true, psh: true, ack: true, state: 'closed' },
    host: 'gw-bench',
  });
}

/** Writes n lines in large chunks (never holding them all). Returns the byte size. */
function writeEve(path: string, n: number): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < n; i += 10_000) {
      let chunk = '';
      for (let k = i; k < Math.min(n, i + 10_000); k++) chunk += eveLine(k) + '\n';
      bytes += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** JSON.parse of every line: lines per wall second and per CPU second. */
function jsonParseRate(path: string): { wall: number; cpu: number } {
  const text = readFileSync(path, 'utf8');
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let pos = 0;
  let n = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    JSON.parse(text.slice(pos, nl));
    n++;
    pos = nl + 1;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { wall: n / wall, cpu: n / ((c.user + c.system) / 1e6) };
}

/** The V8 settings docs/gateway-agent.md recommends for a gateway (small young generation and heap). */
const GATEWAY_NODE_OPTIONS = '--max-semi-space-size=1 --max-old-space-size=128';

function agentProcess(args: string[], nodeOptions = ''): ChildProcess {
  return spawn(process.execPath, [MSEC_BIN, 'gateway', 'agent', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      r();
    }
  });
}

function rssMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function shipRate(
  dir: string,
  eve: string,
  lines: number,
  token: string,
): Promise<{ wall: number; cpu: number }> {
  let received = 0;
  let cpuFirst = 0;
  let cpuLast = 0;
  const box: { child?: ChildProcess } = {};
  let first = 0;
  let firstCount = 0;
  let last = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Count the events without parsing them: this measures the agent, not the receiver. NDJSON: one
      // record per line after the agent line (a raw eve line holds no newline); JSON: each record
      // opens with `{"id":"`.
      const body = Buffer.concat(chunks);
      let n = 0;
      if (String(req.headers['content-type']).startsWith('application/x-ndjson')) {
        for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
        n -= 1;
      } else {
        for (let i = body.indexOf('{"id":"'); i >= 0; i = body.indexOf('{"id":"', i + 7)) n++;
      }
      if (first === 0) {
        first = performance.now();
        firstCount = n;
        cpuFirst = cpuSeconds(box.child!.pid!);
      }
      received += n;
      last = performance.now();
      if (received >= lines) cpuLast = cpuSeconds(box.child!.pid!);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: n, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const child = (box.child = agentProcess([
    '--eve',
    eve,
    '--to',
    `http://127.0.0.1:${port}/api/v1/monitor/ingest`,
    '--token-file',
    token,
    '--state-dir',
    join(dir, 'ship-state'),
    '--sensor',
    'bench',
    '--batch-events',
    '5000',
    '--batch-bytes',
    String(8 * 1024 * 1024),
    '--poll-ms',
    '20',
  ]));
  try {
    const deadline = Date.now() + 600_000;
    while (received < lines && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 20));
    if (received < lines) throw new Error(`agent delivered ${received} of ${lines}`);
  } finally {
    await kill(child);
    await new Promise<void>((r) => server.close(() => r()));
  }
  return {
    wall: (received - firstCount) / ((last - first) / 1000),
    cpu: (received - firstCount) / (cpuLast - cpuFirst),
  };
}

async function spooledRss(
  dir: string,
  eve: string,
  spooled: number,
  token: string,
  nodeOptions: string,
): Promise<{ rss: number; peak: number; seconds: number }> {
  const state = join(dir, `spool-state-${nodeOptions ? 'tuned' : 'default'}`);
  const child = agentProcess(
    [
      '--eve',
      eve,
      '--to',
      'http://127.0.0.1:9/api/v1/monitor/ingest',
      '--token-file',
      token,
      '--state-dir',
      state,
      '--sensor',
      'bench',
      '--spool-max-bytes',
      String(4 * 1024 ** 3),
      '--poll-ms',
      '50',
    ],
    nodeOptions,
  );
  const t0 = Date.now();
  let peak = 0;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error('agent exited');
      peak = Math.max(peak, rssMb(child.pid!).rss);
      const statusPath = join(state, 'status.json');
      const events = existsSync(statusPath)
        ? ((JSON.parse(readFileSync(statusPath, 'utf8') || '{}') as { spool?: { events: number } }).spool?.events ?? 0)
        : 0;
      if (events >= spooled) break;
      if (Date.now() - t0 > 900_000) throw new Error(`only ${events} spooled`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const m = rssMb(child.pid!);
    return { rss: m.rss, peak: Math.max(peak, m.hwm), seconds: (Date.now() - t0) / 1000 };
  } finally {
    await kill(child);
  }
}

export async function run(args: string[]): Promise<void> {
  const lines = argValue(args, '--lines', 300_000);
  const spooled = argValue(args, '--spooled', 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-gateway-'));
  try {
    const token = join(dir, 'token');
    writeFileSync(token, 'msec_bench.' + 'b'.repeat(32));
    const eve = join(dir, 'eve.json');
    const bytes = writeEve(eve, lines);
    // The machine is shared: the reference is the median of rounds before and after the agent's run.
    const rounds = [jsonParseRate(eve), jsonParseRate(eve)];
    const shipped = await shipRate(dir, eve, lines, token);
    rounds.push(jsonParseRate(eve), jsonParseRate(eve));
    const ref = { wall: median(rounds.map((r) => r.wall)), cpu: median(rounds.map((r) => r.cpu)) };
    console.log(`eve lines: ${lines} (${(bytes / lines).toFixed(0)} bytes each)`);
    console.log(
      `JSON.parse of the same lines (reference, median of 4 rounds): ${Math.round(ref.wall)} lines/s, ${Math.round(ref.cpu)} lines per CPU second`,
    );
    console.log(
      `agent shipped (tail, spool + fsync, batch, HTTP):  ${Math.round(shipped.wall)} lines/s, ${Math.round(shipped.cpu)} lines per CPU second of the agent process`,
    );
    console.log(
      `ratio agent / JSON.parse: ${(shipped.wall / ref.wall).toFixed(2)} wall-clock, ${(shipped.cpu / ref.cpu).toFixed(2)} per CPU second (target >= 0.5; on a shared machine the CPU ratio is the steadier one)`,
    );
    const big = join(dir, 'eve-big.json');
    const bigBytes = writeEve(big, spooled);
    rmSync(eve);
    for (const [label, opts] of [
      ['default node flags', ''],
      [`NODE_OPTIONS='${GATEWAY_NODE_OPTIONS}'`, GATEWAY_NODE_OPTIONS],
    ] as const) {
      const r = await spooledRss(dir, big, spooled, token, opts);
      console.log(
        `agent RSS with ${spooled} events spooled (${(bigBytes / 1024 ** 2).toFixed(0)} MiB of eve, receiver down), ${label}: ${r.rss.toFixed(1)} MB, peak ${r.peak.toFixed(1)} MB (target < 150 MB); spooled in ${r.seconds.toFixed(1)} s`,
      );
      rmSync(join(dir, `spool-state-${opts ? 'tuned' : 'default'}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
