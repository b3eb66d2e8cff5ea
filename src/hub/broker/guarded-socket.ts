import type { Socket } from 'node:net';
import { MqttFrameGuard, type GuardVerdict } from './frame-guard.ts';

/**
 * Puts the frame guard in front of the MQTT parser: every chunk a socket receives enters its
 * readable buffer through `push`, so the guard checks it there, before anything is buffered, and
 * on an oversized or malformed fixed header destroys the connection (the body never reaches the
 * broker) and tells `onViolation`. Checking in `push` rather than through a wrapping Duplex keeps
 * the broker reading the socket directly: the extra stream cost more than half the QoS 0 relay rate.
 */
export function guardSocket(
  socket: Socket,
  maxPacketBytes: number,
  onViolation: (v: Exclude<GuardVerdict, { ok: true }>) => void,
): Socket {
  const guard = new MqttFrameGuard(maxPacketBytes);
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk instanceof Uint8Array) {
      const v = guard.feed(chunk);
      if (!v.ok) {
        onViolation(v);
        socket.destroy();
        return false;
      }
    }
    return push(chunk, encoding);
  };
  return socket;
}
