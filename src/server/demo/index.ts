/**
 * The cross-module part of `msec up --demo`, started once the platform and its modules' own demos
 * run (devices of both cities, twin metadata): Fujisawa's partner hub with a live federation
 * link from Santander, and replayed attacks. Returns what to print and how to stop it.
 */
import { join } from 'node:path';
import { DEMO_DEVICES, DEMO_MTLS_DEVICES, HUB_BROKER, HUB_TWINS } from '../../hub/index.ts';
import type { Platform } from '../platform.ts';
import { AttackReplayer, ATTACK_SOURCES } from './attacks.ts';
import { DEMO_AGGREGATED_RESOURCES, DEMO_SHARED_RESOURCES, startPartnerHub, type PartnerHub } from './partner-hub.ts';

export interface RunningDemo {
  partner: PartnerHub | undefined;
  attacks: AttackReplayer;
  summary: string[];
  close(): Promise<void>;
}

const INTRUDER = 'demo-intruder';

async function intruderKey(platform: Platform): Promise<string | undefined> {
  const dir = platform.ctx.iam.directory;
  if (!(await dir.getOrg('santander'))) return undefined;
  const p =
    (await dir.findByName(INTRUDER)) ??
    (await dir.createPrincipal({ orgId: 'santander', kind: 'service', name: INTRUDER, roles: ['consumer'] }));
  return (await platform.ctx.iam.apiKeys.create(p.id, `${INTRUDER} ${new Date().toISOString().slice(0, 19)}`, 86_400))
    .key;
}

export async function startDemo(platform: Platform): Promise<RunningDemo> {
  const { ctx } = platform;
  const broker = ctx.services.find(HUB_BROKER);
  const brokerHost = ['0.0.0.0', '::'].includes(ctx.config.host) ? '127.0.0.1' : ctx.config.host;
  let partner: PartnerHub | undefined;
  if (ctx.services.find(HUB_TWINS)) {
    const started = Date.now();
    try {
      partner = await startPartnerHub(platform);
      ctx.logger.info(
        { url: partner.platform.url, ms: Date.now() - started, agreement: partner.agreementId },
        'demo: Fujisawa partner hub linked',
      );
    } catch (err) {
      ctx.logger.error({ err }, 'demo: the Fujisawa partner hub failed to start; running without the federation link');
    }
  }
  const attacks = new AttackReplayer(
    platform,
    broker ? { host: brokerHost, port: broker.port } : undefined,
    await intruderKey(platform),
    ctx.logger,
  );
  attacks.start();

  const cities = (org: string) =>
    DEMO_DEVICES.filter((d) => d.org === org)
      .map((d) => d.id)
      .join(', ');
  const summary = [
    'Demo running:',
    `  hub (Santander and Fujisawa as organisations): ${platform.url}  API docs ${platform.url}/docs${broker ? `  MQTT mqtt://${brokerHost}:${broker.port}` : ''}`,
    `  devices publishing signed readings every second (now and then a tampered or replayed one):`,
    `    santander: ${cities('santander')}`,
    `    fujisawa:  ${cities('fujisawa')}`,
    partner
      ? `  Fujisawa's own hub (in this process, data in ${partner.dataDir}): ${partner.platform.url} — receives Santander's ${DEMO_SHARED_RESOURCES.join(' and ')} readings as santander~<device> (agreement ${partner.agreementId}), and ${DEMO_AGGREGATED_RESOURCES.join(' and ')} only as pseudonymous one-minute averages (agreement ${partner.aggregateAgreementId})`
      : '  Fujisawa partner hub: not running (see the log)',
    `  replayed attacks every 10 s: failed logins from ${ATTACK_SOURCES.login}, a forged token from ${ATTACK_SOURCES.forgedToken}, an MQTT CONNECT flood from ${ATTACK_SOURCES.connectFlood}, a wildcard PUBLISH from ${ATTACK_SOURCES.wildcardPublish}`,
    ...(broker?.mtlsPort
      ? [
          `  mTLS: ${DEMO_MTLS_DEVICES.join(' and ')} hold client certificates from msec's CA (${join(ctx.config.dataDir, 'demo-devices', '<id>', 'client.crt')}, key and ca.pem beside it); the first published over mqtts://${brokerHost}:${broker.mtlsPort} with it`,
        ]
      : []),
    `  see refusals: GET ${platform.url}/api/v1/audit?outcome=denied`,
    `  log in as admin with the password in ${join(ctx.config.dataDir, 'admin-credential.json')} (written at first start)${partner ? `; the Fujisawa hub's is in ${join(partner.dataDir, 'admin-credential.json')}` : ''}`,
  ];
  return {
    partner,
    attacks,
    summary,
    async close() {
      attacks.stop();
      await partner?.close();
    },
  };
}
