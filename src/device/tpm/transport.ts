import { connect, type Socket } from 'node:net';
import { open, type FileHandle } from 'node:fs/promises';
import { MsecError, errorMessage } from '../../core/errors.ts';
import { MAX_RESPONSE_SIZE } from './constants.ts';

/** Carries one marshalled TPM 2.0 command to the TPM and returns its complete response. */
export interface TpmTransport {
  transmit(command: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

function unavailable(message: string, cause?: unknown): MsecError {
  return new MsecError('TPM_UNAVAILABLE', message, { status: 503, cause });
}

/**
 * swtpm's TCP server port: plain TPM command bytes in, plain response bytes out (no mssim framing).
 * Commands are serialised; responses are framed by the size field of their header.
 */
export class SwtpmSocketTransport implements TpmTransport {
  private pending: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly where: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.failWaiter(unavailable(`TPM connection error (${where}): ${err.message}`, err)));
    socket.on('close', () => {
      this.closed = true;
      this.failWaiter(unavailable(`TPM connection closed (${where})`));
    });
  }

  static async connect(host: string, port: number, timeoutMs = 5000): Promise<SwtpmSocketTransport> {
    const where = `${host}:${port}`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(unavailable(`TPM at ${where} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(unavailable(`TPM unavailable at ${where}: ${err.message}`, err));
      });
    });
    return new SwtpmSocketTransport(socket, where);
  }

  transmit(command: Buffer): Promise<Buffer> {
    const run = this.queue.then(() => this.transmitNow(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private transmitNow(command: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(unavailable(`TPM connection closed (${this.where})`));
    return new Promise<Buffer>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pending = Buffer.alloc(0);
      this.socket.write(command);
    });
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length < 10) return;
    const size = this.pending.readUInt32BE(2);
    if (size < 10 || size > MAX_RESPONSE_SIZE) {
      this.failWaiter(
        new MsecError('TPM_MALFORMED_RESPONSE', `TPM response size ${size} out of range`, { status: 502 }),
      );
      this.socket.destroy();
      return;
    }
    if (this.pending.length < size) return;
    const response = this.pending.subarray(0, size);
    this.pending = Buffer.alloc(0);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(response);
  }

  private failWaiter(err: MsecError): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      this.socket.destroySoon();
    });
  }
}

/**
 * Kernel TPM character device (/dev/tpmrm0 with the in-kernel resource manager, or /dev/tpm0):
 * one write per command, one read returns the whole response.
 */
export class CharDeviceTransport implements TpmTransport {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  static async open(path = '/dev/tpmrm0'): Promise<CharDeviceTransport> {
    try {
      return new CharDeviceTransport(await open(path, 'r+'), path);
    } catch (err) {
      throw unavailable(`TPM device ${path} cannot be opened: ${errorMessage(err)}`, err);
    }
  }

  transmit(command: Buffer): Promise<Buffer> {
    const run = this.queue.then(async () => {
      try {
        await this.handle.write(command, 0, command.length, null);
        const buf = Buffer.alloc(MAX_RESPONSE_SIZE);
        const { bytesRead } = await this.handle.read(buf, 0, buf.length, null);
        return buf.subarray(0, bytesRead);
      } catch (err) {
        throw unavailable(`TPM device ${this.path} I/O failed: ${errorMessage(err)}`, err);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export type TpmConnectOptions = { kind: 'swtpm'; host: string; port: number } | { kind: 'device'; path?: string };

/** Opens the transport described by `options`; an absent TPM gives TPM_UNAVAILABLE. */
export async function openTransport(options: TpmConnectOptions): Promise<TpmTransport> {
  return options.kind === 'swtpm'
    ? SwtpmSocketTransport.connect(options.host, options.port)
    : CharDeviceTransport.open(options.path);
}
