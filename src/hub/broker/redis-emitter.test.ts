import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { redisEmitter } from './redis-emitter.ts';

/**
 * A Redis stand-in that answers the ready check and then drops the connection on QUIT without a
 * reply: what a server that no longer honours QUIT, or a network cut at shutdown, looks like.
 */
function dropOnQuitServer(): Promise<{ server: Server; port: number; quits: () => number; readyChecks: () => number }> {
  let quits = 0;
  let readyChecks = 0;
  const server = createServer((socket: Socket) => {
    socket.on('data', (chunk) => {
      for (const command of commandNames(chunk.toString('latin1'))) {
        if (command === 'QUIT') {
          quits++;
          socket.destroy();
          return;
        }
        if (command === 'INFO') readyChecks++;
        socket.write(REPLIES[command] ?? '+OK\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        server,
        port: typeof addr === 'object' && addr ? addr.port : 0,
        quits: () => quits,
        readyChecks: () => readyChecks,
      });
    }),
  );
}

const INFO = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
const REPLIES: Record<string, string> = {
  HELLO: "-ERR unknown command 'hello'\r\n", // so the client stays on RESP2, which this stand-in speaks
  INFO: `$${INFO.length}\r\n${INFO}\r\n`,
};

/** The command name of each RESP array in a chunk (the stand-in's clients send short commands). */
function commandNames(text: string): string[] {
  return [...text.matchAll(/\*\d+\r\n\$\d+\r\n([^\r]+)\r\n/g)].map((m) => m[1]!.toUpperCase());
}

describe('redisEmitter', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('closes cleanly when Redis drops the connection instead of answering QUIT', async () => {
    const fake = await dropOnQuitServer();
    server = fake.server;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const emitter = redisEmitter({ host: '127.0.0.1', port: fake.port, retryStrategy: () => null });
      // Both of the emitter's connections (publisher and subscriber) pass their ready check first.
      for (let i = 0; i < 400 && fake.readyChecks() < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(fake.readyChecks()).toBe(2);
      await new Promise<void>((r) => emitter.close(() => r()));
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(fake.quits()).toBe(2);
    expect(rejections).toEqual([]);
  });
});
