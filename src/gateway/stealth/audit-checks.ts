import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { STEALTH_TABLE } from './ruleset.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface CheckResult {
  id: string;
  status: CheckStatus;
  summary: string;
  details?: Record<string, unknown>;
}

function tryRun(cmd: string, args: string[]): { ok: true; out: string } | { ok: false; err: string } {
  try {
    return {
      ok: true,
      out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }),
    };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, err: (e.stderr || e.message).trim().split('\n')[0]! };
  }
}

export function checkNftables(nft = 'nft'): CheckResult {
  const r = tryRun(nft, ['list', 'table', 'inet', STEALTH_TABLE]);
  if (!r.ok)
    return {
      id: 'nftables',
      status: 'fail',
      summary: `table inet ${STEALTH_TABLE} is not loaded (${r.err}); load it with nft -f msec-stealth.nft`,
    };
  const dropping = /hook input priority \S+; policy drop;/.test(r.out);
  return dropping
    ? { id: 'nftables', status: 'pass', summary: `table inet ${STEALTH_TABLE} loaded, inbound policy drop` }
    : {
        id: 'nftables',
        status: 'fail',
        summary: `table inet ${STEALTH_TABLE} is loaded but its input chain does not drop by default`,
      };
}

/** Listening TCP sockets and bound UDP sockets from /proc/net, beyond loopback. */
export function checkListening(procNet = '/proc/net', expected: number[] = []): CheckResult {
  const open: { proto: string; address: string; port: number }[] = [];
  for (const [file, proto, state] of [
    ['tcp', 'tcp', '0A'],
    ['tcp6', 'tcp6', '0A'],
    ['udp', 'udp', '07'],
    ['udp6', 'udp6', '07'],
  ] as const) {
    const p = join(procNet, file);
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== state) continue;
      const [hexAddr, hexPort] = f[1]!.split(':');
      const port = parseInt(hexPort!, 16);
      const loopback = hexAddr === '0100007F' || hexAddr === '00000000000000000000000001000000';
      if (!loopback) open.push({ proto, address: hexAddr!, port });
    }
  }
  const ports = [...new Set(open.map((o) => `${o.proto}/${o.port}`))].sort();
  const unexpected = open.filter((o) => !expected.includes(o.port));
  if (open.length === 0) return { id: 'listening', status: 'pass', summary: 'no sockets listen beyond loopback' };
  const status: CheckStatus = unexpected.length ? 'warn' : 'pass';
  return {
    id: 'listening',
    status,
    summary: `listening beyond loopback: ${ports.join(', ')}${unexpected.length ? ' (unexpected ones are reachable once knocked or if nftables is not loaded)' : ''}`,
    details: { ports },
  };
}

const DEFAULT_PASSWORDS = [
  'root',
  'admin',
  'password',
  '123456',
  '12345678',
  '1234',
  'default',
  'toor',
  'changeme',
  'raspberry',
  'openblocks',
];

/** Empty and well-known default passwords in a shadow file (sha-crypt hashes checked with openssl). */
export function checkPasswords(shadow = '/etc/shadow'): CheckResult {
  let text: string;
  try {
    text = readFileSync(shadow, 'utf8');
  } catch (err) {
    return {
      id: 'passwords',
      status: 'warn',
      summary: `${shadow} is not readable (${(err as NodeJS.ErrnoException).code}); run the audit as root to check passwords`,
    };
  }
  const empty: string[] = [];
  const defaults: string[] = [];
  let unchecked = 0;
  for (const line of text.split('\n')) {
    const [user, hash] = line.split(':');
    if (!user || hash === undefined) continue;
    if (hash === '') {
      empty.push(user);
      continue;
    }
    const m = /^\$([156])\$([^$]+)\$/.exec(hash);
    if (!m) {
      if (/^\$/.test(hash)) unchecked++;
      continue;
    }
    for (const pw of [...DEFAULT_PASSWORDS, user]) {
      const r = tryRun('openssl', ['passwd', `-${m[1]}`, '-salt', m[2]!, pw]);
      if (r.ok && r.out.trim() === hash) {
        defaults.push(user);
        break;
      }
    }
  }
  if (empty.length || defaults.length) {
    const parts = [
      empty.length ? `empty password: ${empty.join(', ')}` : '',
      defaults.length ? `default password: ${defaults.join(', ')}` : '',
    ].filter(Boolean);
    return { id: 'passwords', status: 'fail', summary: parts.join('; '), details: { empty, defaults } };
  }
  return {
    id: 'passwords',
    status: 'pass',
    summary: `no empty or default passwords${unchecked ? ` (${unchecked} hashes of other schemes not tried)` : ''}`,
  };
}

/** Effective sshd settings: `sshd -T` where possible, otherwise the config files (first value wins). */
export function sshdSettings(config = '/etc/ssh/sshd_config', sshd = 'sshd'): Map<string, string> | undefined {
  const t = config === '/etc/ssh/sshd_config' ? tryRun(sshd, ['-T']) : { ok: false as const, err: '' };
  const settings = new Map<string, string>();
  if (t.ok) {
    for (const l of t.out.split('\n')) {
      const [k, ...v] = l.trim().split(/\s+/);
      if (k) settings.set(k.toLowerCase(), v.join(' ').toLowerCase());
    }
    return settings;
  }
  if (!existsSync(config)) return undefined;
  const read = (file: string, depth: number) => {
    if (depth > 4 || !existsSync(file)) return;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (/^match\s/i.test(line)) break; // settings in Match blocks are conditional
      const [k, ...v] = line.split(/\s+/);
      if (!k) continue;
      const key = k.toLowerCase();
      if (key === 'include') {
        for (const pat of v)
          includeFiles(isAbsolute(pat) ? pat : join(dirname(config), pat)).forEach((f) => read(f, depth + 1));
      } else if (!settings.has(key)) settings.set(key, v.join(' ').toLowerCase());
    }
  };
  read(config, 0);
  return settings;
}

function includeFiles(pattern: string): string[] {
  const star = pattern.lastIndexOf('*');
  if (star < 0) return [pattern];
  const dir = dirname(pattern);
  const [pre, post] = pattern.slice(dir.length + 1).split('*');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(pre!) && f.endsWith(post ?? ''))
    .sort()
    .map((f) => join(dir, f));
}

export function checkSshd(config?: string): CheckResult[] {
  const s = sshdSettings(config);
  if (!s) return [{ id: 'sshd', status: 'warn', summary: 'no sshd configuration found' }];
  const root = s.get('permitrootlogin') ?? 'prohibit-password';
  const pass = s.get('passwordauthentication') ?? 'yes';
  const emptyPw = s.get('permitemptypasswords') ?? 'no';
  return [
    {
      id: 'sshd.root_login',
      status: root === 'yes' ? 'fail' : root === 'no' ? 'pass' : 'warn',
      summary: `PermitRootLogin ${root}`,
    },
    {
      id: 'sshd.password_auth',
      status: pass === 'no' ? 'pass' : 'warn',
      summary: `PasswordAuthentication ${pass}${pass === 'no' ? '' : ' (prefer keys only)'}`,
    },
    {
      id: 'sshd.empty_passwords',
      status: emptyPw === 'yes' ? 'fail' : 'pass',
      summary: `PermitEmptyPasswords ${emptyPw}`,
    },
  ];
}

function processRunning(match: (comm: string, cmdline: string) => boolean, proc = '/proc'): number | undefined {
  for (const pid of readdirSync(proc)) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const comm = readFileSync(join(proc, pid, 'comm'), 'utf8').trim();
      const cmdline = readFileSync(join(proc, pid, 'cmdline'), 'utf8').replace(/\0/g, ' ');
      if (match(comm, cmdline)) return Number(pid);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

export function checkSuricata(eve: string, freshSeconds: number): CheckResult[] {
  const out: CheckResult[] = [];
  const v = tryRun('suricata', ['-V']);
  const version = v.ok ? /version (\d+)\.(\d+)\.(\d+)/.exec(v.out) : null;
  if (!version)
    out.push({
      id: 'suricata.version',
      status: 'fail',
      summary: 'suricata is not installed (need 7.x: apt-get install -t bookworm-backports suricata)',
    });
  else if (Number(version[1]) < 7)
    out.push({
      id: 'suricata.version',
      status: 'fail',
      summary: `suricata ${version.slice(1).join('.')} is too old (need 7.x)`,
    });
  else out.push({ id: 'suricata.version', status: 'pass', summary: `suricata ${version.slice(1).join('.')}` });
  const pid = processRunning(
    (comm, cmd) => comm === 'Suricata-Main' || comm === 'suricata' || /(^|\/)suricata\s/.test(cmd),
  );
  out.push(
    pid
      ? { id: 'suricata.running', status: 'pass', summary: `suricata runs (pid ${pid})` }
      : { id: 'suricata.running', status: 'fail', summary: 'suricata is not running' },
  );
  try {
    const age = (Date.now() - statSync(eve).mtimeMs) / 1000;
    out.push({
      id: 'suricata.current',
      status: age <= freshSeconds ? 'pass' : 'warn',
      summary: `${eve} last written ${Math.round(age)} s ago`,
    });
  } catch {
    out.push({ id: 'suricata.current', status: 'warn', summary: `${eve} does not exist` });
  }
  return out;
}

export function checkAgent(stateDir: string, freshSeconds: number): CheckResult[] {
  let status: any;
  try {
    status = JSON.parse(readFileSync(join(stateDir, 'status.json'), 'utf8'));
  } catch {
    return [
      {
        id: 'agent.running',
        status: 'fail',
        summary: `no agent status in ${stateDir} (is msec gateway agent running with --state-dir ${stateDir}?)`,
      },
    ];
  }
  const pid = Number(status.pid);
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch (err) {
    alive = (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const statusAge = (Date.now() - Date.parse(status.now)) / 1000;
  const running: CheckResult =
    alive && statusAge <= 60
      ? { id: 'agent.running', status: 'pass', summary: `agent runs (pid ${pid})` }
      : {
          id: 'agent.running',
          status: 'fail',
          summary: alive
            ? `agent pid ${pid} has not updated its status for ${Math.round(statusAge)} s`
            : `agent (pid ${pid}) is not running`,
        };
  const lastOk = status.lastSuccess ? (Date.now() - Date.parse(status.lastSuccess)) / 1000 : Infinity;
  const waiting = Number(status.spool?.events ?? 0);
  const current: CheckResult =
    waiting === 0 || lastOk <= freshSeconds
      ? {
          id: 'agent.current',
          status: 'pass',
          summary: `${waiting} events spooled, last delivery ${Number.isFinite(lastOk) ? `${Math.round(lastOk)} s ago` : 'never'}`,
        }
      : {
          id: 'agent.current',
          status: 'warn',
          summary: `${waiting} events waiting; last delivery ${Number.isFinite(lastOk) ? `${Math.round(lastOk)} s ago` : 'never'}${status.lastError ? ` (${status.lastError.code})` : ''}`,
        };
  return [running, current];
}
