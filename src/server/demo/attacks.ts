/**
 * Replayed attack traffic for `msec up --demo`, sent against the hub's real listeners so that the
 * platform's own defences refuse, audit and report it: failed logins, a forged access token, a
 * flood of bad MQTT CONNECTs from one address, and a PUBLISH to a wildcard topic.
 *
 * HTTP attacks go through app.inject with a documentation address (RFC 5737) as source; MQTT
 * attacks come from 127.0.0.2 and 127.0.0.3, so the broker's per-address throttling of the
 * "attacker" never blocks real local clients on 127.0.0.1.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { Logger } from '../../core/index.ts';
import type { Platform } from '../platform.ts';
import { connectPacket, publishPacket, sendRaw } from './raw-mqtt.ts';

export const ATTACK_SOURCES = {
  login: '203.0.113.7',
  forgedToken: '198.51.100.23',
  connectFlood: '127.0.0.2',
  wildcardPublish: '127.0.0.3',
} as const;
const FLOOD_CONNECTS = 12;

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** An ES256 JWT that claims to be the platform admin, signed by a key the platform never issued. */
export function forgedAdminToken(kid: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid })}.${b64({ sub: 'admin', org: 'platform', roles: ['admin'], iat: now, exp: now + 600 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

export class AttackReplayer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  rounds = 0;

  constructor(
    private readonly platform: Platform,
    private readonly broker: { host: string; port: number } | undefined,
    private readonly intruderKey: string | undefined,
    private readonly logger: Logger,
    private readonly periodMs = 10_000,
  ) {}

  start(): void {
    const tick = () => void this.round().catch((err: unknown) => this.logger.warn({ err }, 'demo attack round failed'));
    setTimeout(tick, 1000).unref();
    this.timer = setInterval(tick, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async round(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { app, ctx } = this.platform;
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: ATTACK_SOURCES.login,
        payload: { username: 'scada-admin', password: `Winter${randomBytes(3).toString('hex')}!` },
      });
      await app.inject({
        method: 'GET',
        url: '/api/v1/devices',
        remoteAddress: ATTACK_SOURCES.forgedToken,
        headers: { authorization: `Bearer ${forgedAdminToken(ctx.platformKey.kid)}` },
      });
      if (this.broker) {
        const { host, port } = this.broker;
        await Promise.all(
          Array.from({ length: FLOOD_CONNECTS }, (_, i) =>
            sendRaw({
              host,
              port,
              localAddress: ATTACK_SOURCES.connectFlood,
              timeoutMs: 2000,
              packets: [connectPacket(`bot-${i}`, 'admin', 'admin123')],
            }),
          ),
        );
        if (this.intruderKey) {
          await sendRaw({
            host,
            port,
            localAddress: ATTACK_SOURCES.wildcardPublish,
            timeoutMs: 2000,
            packets: [
              connectPacket('intruder', 'x', this.intruderKey),
              publishPacket('data/santander/#', Buffer.from('{"value":-999}')),
            ],
          });
        }
      }
      this.rounds++;
    } finally {
      this.running = false;
    }
  }
}
