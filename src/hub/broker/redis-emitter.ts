import { createRequire } from 'node:module';
import { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

export interface ClosableEmitter {
  close(cb: () => void): void;
}

/**
 * mqemitter-redis over connections we own. Its close() calls quit() on both connections without
 * handling the promise: when Redis drops a connection before answering QUIT (it may, as QUIT is
 * deprecated), ioredis rejects with "Connection is closed" and the process dies of an unhandled
 * rejection on a clean shutdown. Our connections answer quit() with a handled promise instead.
 */
export function redisEmitter(options: object): ClosableEmitter {
  const subConn = quietQuit(new Redis(options));
  const pubConn = quietQuit(new Redis({ ...options, enableAutoPipelining: true }));
  const mqemitterRedis = require('mqemitter-redis') as (o: object) => ClosableEmitter;
  return mqemitterRedis({ subConn, pubConn });
}

function quietQuit(conn: Redis): Redis {
  const quit = conn.quit.bind(conn);
  conn.quit = ((...args: Parameters<Redis['quit']>) => quit(...args).catch(() => 'OK' as const)) as Redis['quit'];
  return conn;
}
