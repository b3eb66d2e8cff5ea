import { createSocket, type Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MsecError } from '../../core/errors.ts';
import { judgeKnock, type KnockPolicy } from './knock-verify.ts';
import { ReplayCache } from './replay-cache.ts';
import { STEALTH_TABLE, knockSetName } from './ruleset.ts';

const run = promisify(execFile);

export interface KnockdOptions {
  keys: Map<string, Buffer>;
  listen: string;
  port: number;
  openSeconds: number;
  windowSeconds: number;
  allowedPorts: number[];
  nft?: string;
  table?: string;
  audit: (record: Record<string, unknown>) => void;
}

export interface RunningKnockd {
  port: number;
  stop(): Promise<void>;
}

/** Pre-authentication rejects are audited at most this often per second (a flood must not fill the disk). */
const UNAUTH_AUDITS_PER_SECOND = 20;

/**
 * The single-packet-authorisation daemon. It never answers a datagram; an admitted knock adds
 * `<source> . <port>` to the stealth table's set with a timeout, so nft lets that source alone reach
 * the port for that long.
 */
export async function startKnockd(o: KnockdOptions): Promise<RunningKnockd> {
  const policy: KnockPolicy = {
    keys: o.keys,
    allowedPorts: new Set(o.allowedPorts),
    windowMs: o.windowSeconds * 1000,
    cache: new ReplayCache(),
  };
  const socket: Socket = createSocket({ type: o.listen.includes(':') ? 'udp6' : 'udp4' });
  let windowStart = 0;
  let inWindow = 0;
  let suppressed = 0;
  socket.on('message', (msg, rinfo) => {
    const now = Date.now();
    const v = judgeKnock(msg, rinfo.address, now, policy);
    const base = {
      time: new Date(now).toISOString(),
      event: 'knock',
      src: rinfo.address,
      srcPort: rinfo.port,
      size: msg.length,
    };
    if (v.outcome === 'reject') {
      const unauthenticated = v.keyId === undefined || v.reason === 'unknown_key' || v.reason === 'bad_mac';
      if (unauthenticated) {
        if (now - windowStart >= 1000) {
          if (suppressed > 0) o.audit({ time: base.time, event: 'knock_audit_suppressed', count: suppressed });
          windowStart = now;
          inWindow = 0;
          suppressed = 0;
        }
        if (++inWindow > UNAUTH_AUDITS_PER_SECOND) {
          suppressed++;
          return;
        }
      }
      o.audit({
        ...base,
        outcome: 'rejected',
        reason: v.reason,
        ...(v.keyId ? { keyId: v.keyId } : {}),
        ...(v.port ? { port: v.port } : {}),
      });
      return;
    }
    admit(o, v.src, v.family, v.port).then(
      () => o.audit({ ...base, outcome: 'admitted', keyId: v.keyId, port: v.port, openSeconds: o.openSeconds }),
      (err: Error) =>
        o.audit({
          ...base,
          outcome: 'error',
          reason: 'nft_failed',
          keyId: v.keyId,
          port: v.port,
          message: err.message,
        }),
    );
  });
  socket.on('error', (err) => o.audit({ time: new Date().toISOString(), event: 'knockd_error', message: err.message }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) =>
      reject(
        new MsecError('GATEWAY_KNOCKD_LISTEN_FAILED', `cannot listen on udp ${o.listen}:${o.port}: ${err.message}`),
      ),
    );
    socket.bind(o.port, o.listen, () => resolve());
  });
  return {
    port: socket.address().port,
    stop: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** Adds (or refreshes) the element: delete then add, since `add` leaves an existing element's timeout. */
async function admit(o: KnockdOptions, src: string, family: 4 | 6, port: number): Promise<void> {
  const nft = o.nft ?? 'nft';
  const table = o.table ?? STEALTH_TABLE;
  const element = `{ ${src} . ${port} }`;
  await run(nft, ['delete', 'element', 'inet', table, knockSetName(family), element]).catch(() => undefined);
  await run(nft, [
    'add',
    'element',
    'inet',
    table,
    knockSetName(family),
    `{ ${src} . ${port} timeout ${o.openSeconds}s }`,
  ]);
}
