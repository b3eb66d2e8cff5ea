import { InvalidArgumentError, type Command } from 'commander';
import type { Config, ConfigInput } from '../core/config.ts';

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535');
  return Number(value);
}

export function parsePositiveInt(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** Options every command that touches the platform's data accepts. */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data directory (env MSEC_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'PostgreSQL URL instead of the SQLite file (env MSEC_DATABASE_URL)')
    .option('--config <file>', 'JSON configuration file (env MSEC_CONFIG)');
}

export interface DataOptionValues {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

/** The validated configuration (loaded on demand: its schema library is slow to load). */
export async function configFromOptions(o: DataOptionValues, extra: ConfigInput = {}): Promise<Config> {
  const { loadConfig } = await import('../core/config.ts');
  return loadConfig({ flags: { dataDir: o.dataDir, databaseUrl: o.databaseUrl, ...extra }, file: o.config });
}
