/**
 * The hub's mTLS HTTPS listener for device readings: `POST /api/v1/readings` with a COSE body,
 * authenticated by the client certificate alone (no bearer credential). It runs the same one
 * verification path as the main API and answers the same body and error shape.
 */
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { errorMessage, MsecError, type Logger } from '../../core/index.ts';
import type { ReadingIngestor } from '../contracts.ts';
import type { CertificateLogin } from './certificate-login.ts';

const BODY_LIMIT = 64 * 1024;

export interface MtlsReadingsOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  ca: string;
  login: CertificateLogin;
  ingestor: ReadingIngestor;
  logger: Pick<Logger, 'warn'>;
}

export class MtlsReadingListener {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly o: MtlsReadingsOptions) {}

  async start(): Promise<void> {
    const server = createServer(
      {
        cert: this.o.cert,
        key: this.o.key,
        ca: this.o.ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      },
      (req, res) => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        const fail = (err: unknown) => {
          const e = err instanceof MsecError ? err : new MsecError('INTERNAL', 'internal error');
          if (!(err instanceof MsecError)) this.o.logger.warn({ err: errorMessage(err) }, 'mTLS reading failed');
          send(e.status ?? 400, { error: { code: e.code, message: e.message } });
        };
        if (req.method !== 'POST' || req.url !== '/api/v1/readings')
          return fail(new MsecError('NOT_FOUND', 'POST /api/v1/readings only', { status: 404 }));
        if ((req.headers['content-type'] ?? '').split(';')[0] !== 'application/cose')
          return fail(new MsecError('UNSUPPORTED_MEDIA_TYPE', 'send the reading as application/cose', { status: 415 }));
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > BODY_LIMIT) {
            fail(new MsecError('BODY_TOO_LARGE', `a reading is at most ${BODY_LIMIT} bytes`, { status: 413 }));
            req.destroy();
          } else chunks.push(c);
        });
        req.on('end', () => {
          if (size > BODY_LIMIT) return;
          const socket = req.socket as TLSSocket;
          void (async () => {
            const subject = await this.o.login(socket.getPeerCertificate().raw);
            const r = await this.o.ingestor.ingest(Buffer.concat(chunks), {
              transport: 'http',
              subject,
              ip: socket.remoteAddress,
            });
            send(202, {
              deviceId: r.deviceId,
              resource: `${r.provider}/${r.service}/${r.resource}`,
              value: r.value,
              counter: r.counter,
              timestamp: r.timestamp,
              receivedAt: r.receivedAt,
              attestation: r.attestation,
            });
          })().catch(fail);
        });
      },
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.o.port;
  }

  setCertificate(cert: string, key: string): void {
    this.server?.setSecureContext({ cert, key, ca: this.o.ca, minVersion: 'TLSv1.2' });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
