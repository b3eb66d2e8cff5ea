import type { Config } from '../core/index.ts';
import type { PlatformModule } from '../iam/index.ts';
import { ledgerModule } from '../server/modules/ledger.ts';
import { vaultModule } from '../vault/index.ts';
import { anonymizerModule } from '../anonymizer/index.ts';
import { devicesModule } from '../hub/devices/index.ts';
import { hubDataModule } from '../hub/data-module.ts';

/**
 * The feature modules `msec up` runs, in start order (a module may use services of the ones
 * before it). The HTTP API and IAM always run; roles pick the feature modules.
 */
export function platformModules(config: Config): PlatformModule[] {
  const roles = new Set(config.roles);
  const want = (role: string) => roles.has('all') || roles.has(role);
  const modules: PlatformModule[] = [];
  // The ledger anchors what the hub and the vault write, so either brings it along.
  if (want('ledger') || want('hub') || want('vault')) modules.push(ledgerModule());
  // Devices first: the data side uses its verification path and device authentication.
  if (want('hub')) modules.push(devicesModule(), hubDataModule());
  if (want('vault')) modules.push(vaultModule());
  if (want('anonymizer')) modules.push(anonymizerModule());
  return modules;
}
