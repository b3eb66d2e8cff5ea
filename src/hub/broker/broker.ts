import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket, type Subscription } from 'aedes';
import { errorMessage, type Logger } from '../../core/index.ts';
import { PLATFORM_ORG, type Iam, type Subject } from '../../iam/index.ts';
import { TOPICS, type AcceptedReading, type DeviceAuthenticator, type ReadingIngestor } from '../contracts.ts';
import type { GrantStore } from '../twins/grant-store.ts';
import { guardSocket } from './guarded-socket.ts';
import { batchWrites } from './write-batching.ts';
import type { RefusalKind, RefusalReporter } from './refusals.ts';
import { ForwardCache } from './forward-cache.ts';
import { ConnectThrottle, type ThrottleLimits } from './throttle.ts';
import { dataFilterMayDeliver, dataTopicRef, validFilter } from './topic-acl.ts';
import { readingMessage } from './reading-message.ts';
import { readTerms, type GrantTerms } from '../twins/access.ts';
import { readingUnderTerms } from '../twins/delivery-terms.ts';
import { redisOptions, redisPersistence } from './redis-persistence.ts';
import { redisEmitter } from './redis-emitter.ts';
import type { CertificateLogin } from '../devices/certificate-login.ts';

export interface BrokerOptions {
  host: string;
  port: number;
  maxPacketBytes: number;
  throttle: ThrottleLimits;
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer | undefined; requireClientCert: boolean } | undefined;
  /** Several hubs share subscriptions and messages through Redis (mqemitter-redis + aedes-persistence-redis). */
  redisUrl?: string | undefined;
  id?: string | undefined;
  /**
   * A second, mTLS-only listener: clients present a certificate from msec's CA (checked by TLS
   * against `ca`, then at CONNECT for revocation and the holder's current state by `login`).
   */
  mtls?: { port: number; cert: string; key: string; ca: string; login: CertificateLogin } | undefined;
}

export interface BrokerDeps {
  iam: Iam;
  grants: GrantStore;
  /** The device side: device credentials and the one verification path for readings. */
  deviceAuth: DeviceAuthenticator;
  ingest: ReadingIngestor;
  refusals: RefusalReporter;
  logger: Logger;
  now: () => number;
}

interface ClientInfo {
  subject: Subject;
  /** Set when the client authenticated as a device (the MQTT username). */
  deviceId?: string | undefined;
  ip: string;
  /** Delivery decisions under data/ for this client (see authorizeForward). */
  forward?: ForwardCache | undefined;
}

type AuthError = Error & { returnCode: number };
/** The second level of a topic (`apps/{org}/...` gives the org), without splitting the whole topic. */
function secondLevel(topic: string): string {
  const start = topic.indexOf('/') + 1;
  const end = topic.indexOf('/', start);
  return end < 0 ? topic.slice(start) : topic.slice(start, end);
}

function connackError(returnCode: 4 | 5 | 3, message: string): AuthError {
  return Object.assign(new Error(message), { returnCode });
}

/**
 * The hub's embedded MQTT 3.1.1 broker (aedes). Devices authenticate with their enrolled key
 * (DeviceAuthenticator), people and services with an access token or API key as password;
 * anonymous clients are refused. Devices publish only their own readings, which go through the
 * one verification path and are never forwarded raw; the hub alone publishes under `data/`,
 * and each delivery under `data/` is checked against the subscriber's permissions.
 */
export class HubBroker {
  private readonly clients = new WeakMap<Client, ClientInfo>();
  private readonly ipOf = new WeakMap<Duplex, string>();
  /** The client certificate (DER) of a connection on the mTLS listener. */
  private readonly certOf = new WeakMap<Duplex, Buffer>();
  private mtlsServer: TlsServer | undefined;
  mtlsPort = 0;
  private readonly throttle: ConnectThrottle;
  private server: Server | undefined;
  private aedes: Aedes | undefined;
  private closers: Array<() => Promise<void>> = [];
  private persistence: { destroy?(): Promise<void> } | undefined;
  port = 0;

  constructor(
    private readonly opts: BrokerOptions,
    private readonly deps: BrokerDeps,
  ) {
    this.throttle = new ConnectThrottle(opts.throttle, deps.now);
  }

  async start(): Promise<void> {
    const { opts } = this;
    let mq: unknown;
    let persistence: unknown;
    if (opts.redisUrl) {
      mq = redisEmitter(redisOptions(opts.redisUrl));
      const p = redisPersistence(redisOptions(opts.redisUrl));
      persistence = p;
      this.persistence = p;
    }
    this.aedes = await Aedes.createBroker({
      ...(opts.id ? { id: opts.id } : {}),
      ...(mq ? { mq } : {}),
      ...(persistence ? { persistence } : {}),
      authenticate: (client, username, password, done) =>
        void this.authenticate(client, username, password).then(
          (ok) => done(null, ok),
          (err: AuthError) => done(err, false),
        ),
      authorizePublish: (client, packet, done) => {
        // Synchronous for everything but a device's reading: no promise per relayed message.
        const verdict = this.authorizePublish(client, packet);
        if (verdict instanceof Promise) void verdict.then(done);
        else done(verdict);
      },
      authorizeSubscribe: (client, sub, done) => done(null, this.authorizeSubscribe(client, sub)),
      authorizeForward: (client, packet) => this.authorizeForward(client, packet),
    });
    this.aedes.on('clientError', (client, err) => this.onClientError(client, err));
    this.aedes.on('connectionError', (client, err) => this.onClientError(client, err));
    const onSocket = (socket: Socket) => this.accept(socket);
    this.server = opts.tls
      ? createTlsServer(
          {
            cert: opts.tls.cert,
            key: opts.tls.key,
            ...(opts.tls.ca ? { ca: opts.tls.ca } : {}),
            requestCert: opts.tls.requireClientCert,
            rejectUnauthorized: opts.tls.requireClientCert,
            minVersion: 'TLSv1.2',
          },
          onSocket,
        )
      : createTcpServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(opts.port, opts.host, () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : opts.port;
    if (opts.mtls) await this.startMtls(opts.mtls);
  }

  private async startMtls(m: NonNullable<BrokerOptions['mtls']>): Promise<void> {
    const server = createTlsServer(
      { cert: m.cert, key: m.key, ca: m.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      (socket: TLSSocket) => this.accept(socket, socket.getPeerCertificate().raw),
    );
    // A handshake refused by TLS (foreign CA, expired): counted like any failed CONNECT.
    server.on('tlsClientError', (err, socket) =>
      this.refuse('auth-failed', `TLS client certificate refused: ${err.message}`, { ip: socket.remoteAddress }),
    );
    this.mtlsServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(m.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    this.mtlsPort = typeof addr === 'object' && addr ? addr.port : m.port;
  }

  /** Swaps in a renewed server certificate; existing connections keep theirs. */
  setMtlsCertificate(cert: string, key: string): void {
    const m = this.opts.mtls;
    if (m) this.mtlsServer?.setSecureContext({ cert, key, ca: m.ca, minVersion: 'TLSv1.2' });
  }

  private accept(socket: Socket, clientCert?: Buffer): void {
    const ip = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    if (!this.throttle.connection(ip)) {
      this.refuse('connection-flood', 'too many connections from this address', { ip });
      socket.destroy();
      return;
    }
    const conn = guardSocket(socket, this.opts.maxPacketBytes, (v) =>
      this.refuse(
        v.reason === 'too-large' ? 'oversized-packet' : 'malformed-packet',
        v.reason === 'too-large'
          ? `packet of ${v.declared} bytes exceeds ${this.opts.maxPacketBytes}`
          : 'malformed fixed header',
        { ip },
      ),
    );
    this.ipOf.set(conn, ip);
    if (clientCert) this.certOf.set(conn, clientCert);
    this.aedes!.handle(batchWrites(conn));
  }

  private refuse(
    kind: RefusalKind,
    reason: string,
    extra: { ip?: string | undefined; client?: Client | null; topic?: string },
  ): void {
    const info = extra.client ? this.clients.get(extra.client) : undefined;
    this.deps.refusals.report({
      kind,
      reason,
      ip: extra.ip ?? info?.ip,
      clientId: extra.client?.id,
      topic: extra.topic,
      actorId: info?.subject.id,
      actorName: info?.subject.name,
    });
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<boolean> {
    const ip = this.ipOf.get(client.conn as Duplex) ?? 'unknown';
    if (this.throttle.isBlocked(ip)) {
      this.refuse('connect-throttled', 'too many failed CONNECTs from this address', { ip, client });
      throw connackError(3, 'server unavailable');
    }
    const clientCert = this.certOf.get(client.conn as Duplex);
    if (clientCert) return this.authenticateCertificate(client, username, clientCert, ip);
    if (!password || password.length === 0) {
      this.refuse('anonymous', 'CONNECT without credentials', { ip, client });
      this.throttle.failure(ip);
      throw connackError(5, 'not authorized');
    }
    const credential = password.toString('utf8');
    const { deviceAuth } = this.deps;
    let info: ClientInfo | undefined;
    let recheck: (() => Promise<Subject>) | undefined;
    if (username && !credential.startsWith('msec_')) {
      const subject = await deviceAuth.authenticateDeviceSession(username, credential).catch(() => undefined);
      if (subject) {
        info = { subject, deviceId: username, ip };
        const since = this.deps.now();
        recheck = async () => {
          const s = await deviceAuth.authenticateDeviceSession(username, credential);
          // A device revoked in another process disables its principal: the bus says so first.
          if (this.deps.iam.revocations.isRevoked(undefined, s.id, since)) throw new Error('device revoked');
          return s;
        };
      }
    }
    if (!info) {
      const subject = await this.deps.iam.authenticate(credential).catch(() => undefined);
      if (subject && subject.kind !== 'device') {
        info = { subject, ip };
        recheck = () => this.deps.iam.authenticate(credential);
      }
    }
    if (!info) {
      const blocked = this.throttle.failure(ip);
      this.refuse('auth-failed', blocked ? 'bad credentials; address now throttled' : 'bad credentials', {
        ip,
        client,
      });
      throw connackError(4, 'bad user name or password');
    }
    this.clients.set(client, info);
    this.bindSession(client, info, recheck!);
    return true;
  }

  /** mTLS: the certificate is the credential; a user name, if sent, must be the holder's. */
  private async authenticateCertificate(
    client: Client,
    username: string | undefined,
    cert: Buffer,
    ip: string,
  ): Promise<boolean> {
    const login = this.opts.mtls!.login;
    let subject: Subject;
    try {
      subject = await login(cert);
      if (username && username !== subject.name)
        throw new Error(`user name ${username} is not the certificate's holder`);
    } catch (err) {
      const blocked = this.throttle.failure(ip);
      this.refuse(
        'auth-failed',
        `client certificate refused: ${errorMessage(err)}${blocked ? '; address now throttled' : ''}`,
        {
          ip,
          client,
        },
      );
      throw connackError(5, 'not authorized');
    }
    const info: ClientInfo = { subject, deviceId: subject.kind === 'device' ? subject.name : undefined, ip };
    this.clients.set(client, info);
    this.bindSession(client, info, () => login(cert));
    return true;
  }

  /**
   * The connection lives only as long as its credential: it is checked again every few seconds
   * and after every revocation (iam.sessions), and closed once it expires, is revoked, or the
   * principal's rights change (disabled, demoted, deleted; a device revoked or quarantined).
   */
  private bindSession(client: Client, info: ClientInfo, recheck: () => Promise<Subject>): void {
    const untrack = this.deps.iam.sessions.track({
      subject: info.subject,
      recheck,
      end: (reason) => {
        this.refuse('session-ended', `credential no longer valid: ${reason}`, { client });
        client.close();
      },
    });
    (client.conn as Duplex).once('close', untrack);
  }

  /** null allows the PUBLISH; an Error refuses it (aedes then closes the connection). */
  private authorizePublish(client: Client | null, packet: PublishPacket): Error | null | Promise<Error | null> {
    if (!client) return null; // the hub's own publications
    const info = this.clients.get(client);
    const topic = packet.topic;
    if (!info) return this.denyPublish(client, topic, 'publish-denied', 'not authenticated');
    if (info.deviceId !== undefined) {
      if (topic !== TOPICS.deviceReadings(info.deviceId))
        return this.denyPublish(client, topic, 'publish-denied', 'a device publishes only to its own readings topic');
      return this.ingestReading(client, info, packet);
    }
    if (topic.startsWith('apps/') && secondLevel(topic) === info.subject.org) return null;
    return this.denyPublish(
      client,
      topic,
      'publish-denied',
      topic.startsWith('data/')
        ? 'only the hub publishes under data/'
        : 'publishing is allowed under apps/{your org}/ only',
    );
  }

  private async ingestReading(client: Client, info: ClientInfo, packet: PublishPacket): Promise<Error | null> {
    try {
      await this.deps.ingest.ingest(packet.payload as Buffer, {
        transport: 'mqtt',
        subject: info.subject,
        ip: info.ip,
      });
    } catch (err) {
      // MQTT 3.1.1 has no PUBACK reason code: refuse by closing the connection, never forward.
      return this.denyPublish(client, packet.topic, 'reading-rejected', errorMessage(err));
    }
    packet.retain = false;
    return null;
  }

  private denyPublish(client: Client, topic: string, kind: RefusalKind, reason: string): Error {
    this.refuse(kind, reason, { client, topic });
    return new Error(reason);
  }

  private authorizeSubscribe(client: Client, sub: Subscription): Subscription | null {
    const info = this.clients.get(client);
    const filter = sub.topic;
    const refuse = (reason: string): null => {
      this.refuse('subscribe-denied', reason, { client, topic: filter });
      return null;
    };
    if (!info) return refuse('not authenticated');
    if (!validFilter(filter) || filter.startsWith('$')) return refuse('invalid or reserved topic filter');
    const levels = filter.split('/');
    if (info.deviceId !== undefined) {
      return levels[0] === 'devices' && levels[1] === info.deviceId && levels[2] === 'actions'
        ? sub
        : refuse('a device subscribes only to its own actions');
    }
    if (levels[0] === 'apps' && levels[1] === info.subject.org) return sub;
    if (levels[0] === 'data') {
      const s = info.subject;
      const platformAdmin = s.org === PLATFORM_ORG && s.roles.includes('admin');
      return dataFilterMayDeliver(filter, s, this.deps.grants.all(), platformAdmin)
        ? sub
        : refuse('no permission to read anything this filter matches');
    }
    return refuse('subscribe under data/, apps/{your org}/ or devices/{your id}/actions/');
  }

  /** Per-message check: a broad subscription only ever receives what the subscriber may read. */
  private authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const info = this.clients.get(client);
    if (!info) return null;
    const topic = packet.topic;
    if (topic.startsWith('data/')) {
      const { iam, grants } = this.deps;
      const cache = (info.forward ??= new ForwardCache());
      let ok = cache.get(topic, grants.version, iam.policy.list().length);
      if (ok === undefined) {
        const ref = dataTopicRef(topic);
        ok = ref !== undefined && iam.decide(info.subject, 'hub:twin:read', ref).allow;
        // Allowed through a grant with terms (a rounded market listing): delivered under them.
        if (ok && ref) ok = readTerms(grants.all(), info.subject, ref) ?? true;
        cache.set(topic, ok);
      }
      if (ok === false) return null;
      if (ok === true) return packet;
      return underTerms(packet, ok);
    }
    if (topic.startsWith('devices/'))
      return info.deviceId !== undefined && topic.startsWith(`devices/${info.deviceId}/actions/`) ? packet : null;
    if (topic.startsWith('apps/')) return secondLevel(topic) === info.subject.org ? packet : null;
    return null;
  }

  private onClientError(client: Client, err: Error): void {
    const msg = err.message;
    // aedes refuses wildcards in a PUBLISH topic itself ("# is not allowed in PUBLISH").
    if (/not allowed in PUBLISH/i.test(msg))
      this.refuse('publish-denied', `wildcard in PUBLISH topic: ${msg}`, { client });
    else if (/invalid|malformed|unknown|protocol|header|length|too many/i.test(msg))
      this.refuse('malformed-packet', msg, { client });
  }

  /** Publishes an accepted reading as JSON on `data/{org}/{provider}/{service}/{resource}`. */
  publishReading(r: AcceptedReading): Promise<void> {
    return this.publish(TOPICS.data(r.org, r.provider, r.service, r.resource), readingMessage(r), 1);
  }

  sendAction(deviceId: string, service: string, resource: string, payload: unknown): Promise<void> {
    return this.publish(TOPICS.deviceActions(deviceId, service, resource), Buffer.from(JSON.stringify(payload)), 1);
  }

  /** Publishes on the local broker under `apps/` (bridged messages). */
  publishLocal(topic: string, payload: Buffer): Promise<void> {
    if (!topic.startsWith('apps/')) return Promise.reject(new Error('local publications go under apps/'));
    return this.publish(topic, payload, 1);
  }

  private publish(topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
    const aedes = this.aedes;
    if (!aedes || aedes.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  get connectedClients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    // Stop accepting first, but the server only reports closed once every connection has ended,
    // which happens when aedes closes its clients: so await it after aedes.
    const serverClosed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    const mtls = this.mtlsServer;
    const mtlsClosed = mtls ? new Promise<void>((r) => mtls.close(() => r())) : Promise.resolve();
    const aedes = this.aedes;
    // aedes.close() ends the clients, emits 'closed', then closes the emitter itself. The Redis
    // persistence is ours to end (its connection would keep the process alive), and it must
    // unsubscribe from the emitter before that closes, or ioredis rejects with nobody listening.
    let persistenceGone: Promise<void> = Promise.resolve();
    if (aedes) {
      await new Promise<void>((r) => {
        aedes.once('closed', () => {
          persistenceGone = (this.persistence?.destroy?.() ?? Promise.resolve()).catch(() => undefined);
        });
        aedes.close(() => r());
      });
    }
    await persistenceGone;
    await serverClosed;
    await mtlsClosed;
    for (const c of this.closers) await c().catch(() => {});
  }
}

/** The reading message of `packet` under a grant's terms; null where the terms withhold it. */
function underTerms(packet: AedesPublishPacket, terms: GrantTerms): AedesPublishPacket | null {
  let reading: { value: unknown; cose?: unknown };
  try {
    reading = JSON.parse(Buffer.from(packet.payload).toString('utf8')) as { value: unknown };
  } catch {
    return null;
  }
  const out = readingUnderTerms(reading, terms);
  return out ? ({ ...packet, payload: Buffer.from(JSON.stringify(out)) } as AedesPublishPacket) : null;
}
