import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

const STREAM_METHODS = [
  'createRetainedStreamCombi',
  'createRetainedStream',
  'outgoingStream',
  'streamWill',
  'getClientList',
] as const;

/**
 * aedes-persistence-redis's async persistence for aedes 1.x. Its streaming methods return async
 * iterables where aedes pipes Node streams, so those are adapted with Readable.from.
 */
export function redisPersistence(options: object): { destroy?(): Promise<void> } {
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (
    o: object,
  ) => Record<string, unknown>;
  const inner = new AsyncRedisPersistence(options);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if ((STREAM_METHODS as readonly (string | symbol)[]).includes(prop)) {
        return (...args: unknown[]) => {
          const out = fn.apply(target, args) as { pipe?: unknown } & AsyncIterable<unknown>;
          return typeof out?.pipe === 'function' ? out : Readable.from(out);
        };
      }
      return fn.bind(target);
    },
  });
}

/** ioredis options from a redis:// or rediss:// URL. */
export function redisOptions(url: string): object {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) || 0 } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
