import { Option, type Command } from 'commander';
import type { CliIo } from '../io.ts';
import { PLATFORM_ROLES } from '../roles.ts';
import { configFromOptions, parsePort, withDataOptions, type DataOptionValues } from '../options.ts';

interface UpOptions extends DataOptionValues {
  host?: string;
  port?: number;
  mqttPort?: number;
  demo?: boolean;
  role?: string[];
  logLevel?: string;
}

const SHUTDOWN_GRACE_MS = 30_000;

export function registerUpCommand(program: Command, io: CliIo): void {
  withDataOptions(
    program
      .command('up')
      .description('start the platform (HTTP API and every module) on embedded defaults')
      .option('--host <host>', 'address to listen on (env MSEC_HOST, default 127.0.0.1)')
      .option('--port <n>', 'HTTP port (env MSEC_PORT, default 8080)', parsePort)
      .option('--mqtt-port <n>', 'MQTT port of the hub (env MSEC_MQTT_PORT, default 1884)', parsePort)
      .option('--demo', 'also run the demo: two cities, simulated devices, replayed attacks')
      .addOption(new Option('--role <role...>', 'run only these roles (default all)').choices(PLATFORM_ROLES))
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent'),
  ).action(async (o: UpOptions) => {
    const config = await configFromOptions(o, {
      host: o.host,
      port: o.port,
      mqttPort: o.mqttPort,
      demo: o.demo,
      roles: o.role,
      logLevel: o.logLevel as never,
    });
    // The demo shows devices on mTLS with the CA's certificates: an mTLS MQTT listener on a free port unless one is set.
    if (config.demo && config.mqttMtlsPort === undefined) Object.assign(config, { mqttMtlsPort: 0 });
    // Loaded on demand: `msec --help` should not pay for the whole server.
    const { startPlatform } = await import('../../server/index.ts');
    const { platformModules } = await import('../modules.ts');
    const platform = await startPlatform({ config, modules: await platformModules(config) });
    if (platform.adminCredentialFile)
      io.out(
        `First start: the admin credential was written to ${platform.adminCredentialFile} (readable only by you).`,
      );
    io.out(`msec is up at ${platform.url} — API docs at ${platform.url}/docs`);
    const demo = config.demo ? await (await import('../../server/demo/index.ts')).startDemo(platform) : undefined;
    for (const line of demo?.summary ?? []) io.out(line);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        io.out(`${signal} received: finishing in-flight work and shutting down`);
        // A stuck peer (a client that never hangs up, an unreachable database) must not keep the
        // process from ending: after the grace period, leave with a failure status.
        setTimeout(() => {
          io.err(`error: shutdown did not finish within ${SHUTDOWN_GRACE_MS / 1000} s; exiting`);
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        const closing = (demo ? demo.close() : Promise.resolve()).then(() => platform.close());
        closing.then(resolve, (err: unknown) => {
          io.err(`error during shutdown: ${(err as Error).message}`);
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  });
}
