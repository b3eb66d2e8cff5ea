import { join } from 'node:path';
import { MSEC_VERSION, type ModuleContext, type PlatformModule } from '../core/index.ts';
import { IAM } from '../iam/index.ts';
import { startAgent, type RunningAgent } from './agent/agent.ts';
import { DEMO_CITIES } from './demo/cities.ts';
import { startEveReplay, type EveReplay } from './demo/replay.ts';

/**
 * The gateway's part of the platform. A gateway runs on its own box (`msec gateway …`); inside
 * `msec up` this module only plays, with `--demo`, one gateway per city: a replay writes the IDS
 * attacks Suricata would log into an eve.json, and the real agent ships it to the monitor's
 * ingest endpoint with that gateway's own API key, exactly as a gateway in the field does.
 */
export function gatewayModule(): PlatformModule {
  const replays: EveReplay[] = [];
  const agents: RunningAgent[] = [];

  async function startCity(ctx: ModuleContext, city: keyof typeof DEMO_CITIES, base: string): Promise<void> {
    const iam = ctx.services.get(IAM);
    if (!(await iam.directory.getOrg(city))) return;
    const sensor = `gw-${city}-1`;
    const principal =
      (await iam.directory.findByName(sensor)) ??
      (await iam.directory.createPrincipal({ orgId: city, kind: 'service', name: sensor, roles: ['operator'] }));
    const { key } = await iam.apiKeys.create(
      principal.id,
      `${sensor} demo ${new Date().toISOString().slice(0, 19)}`,
      86_400,
    );
    const dir = join(ctx.config.dataDir, 'demo-gateways', city);
    const eve = join(dir, 'eve.json');
    replays.push(
      startEveReplay({
        file: eve,
        city,
        sensor,
        intervalMs: 4000,
        onError: (err) => ctx.logger.warn({ err, sensor }, 'demo gateway: replay append failed'),
      }),
    );
    const log = (level: string, msg: string, details?: Record<string, unknown>) => {
      if (level === 'warn' || level === 'error') ctx.logger.warn({ sensor, ...details }, `demo gateway agent: ${msg}`);
    };
    agents.push(
      await startAgent({
        stateDir: join(dir, 'agent'),
        sensor,
        org: city,
        version: MSEC_VERSION,
        inputs: [{ kind: 'file', path: eve, type: 'eve' }],
        to: new URL('/api/v1/monitor/ingest', base),
        token: key,
        lingerMs: 500,
        log,
      }),
    );
  }

  return {
    name: 'gateway',
    needs: [IAM],
    async demo(ctx) {
      const url = ctx.serverUrl();
      // The demo agents speak plain HTTP to this process; with TLS on, a gateway needs the CA (see docs).
      if (!url.startsWith('http://')) {
        ctx.logger.info('demo gateways need the HTTP API on plain http; not started');
        return;
      }
      for (const city of Object.keys(DEMO_CITIES) as Array<keyof typeof DEMO_CITIES>) await startCity(ctx, city, url);
      ctx.logger.info({ gateways: agents.length }, 'demo gateways replaying IDS attacks to the monitor');
    },
    async stop() {
      await Promise.all(replays.map((r) => r.stop()));
      await Promise.all(agents.map((a) => a.stop()));
    },
  };
}
