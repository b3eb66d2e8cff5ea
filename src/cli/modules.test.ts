import { describe, it, expect } from 'vitest';
import { loadConfig, startOrder } from '../core/index.ts';
import { IAM } from '../iam/index.ts';
import { platformModules } from './modules.ts';

/** The feature modules a role set runs; IAM's OAuth server runs with every role (inert until a client is registered). */
const names = async (roles: string[]) => {
  const all = startOrder(await platformModules(loadConfig({ env: {}, flags: { roles } })), [IAM.id]).map((m) => m.name);
  expect(all).toContain('iam-oauth');
  return all.filter((n) => n !== 'iam-oauth');
};

describe('platformModules', () => {
  it('runs every module for the default role, providers before the modules that use them', async () => {
    const all = await names(['all']);
    expect([...all].sort()).toEqual([
      'anonymizer',
      'ca',
      'hub',
      'iam-audit-heads',
      'ledger',
      'market',
      'monitor',
      'vault',
    ]);
    // The ledger reads the hub's outbox; the vault and the audit heads log through the ledger.
    expect(all.indexOf('hub')).toBeLessThan(all.indexOf('ledger'));
    expect(all.indexOf('ledger')).toBeLessThan(all.indexOf('vault'));
    expect(all.indexOf('ledger')).toBeLessThan(all.indexOf('iam-audit-heads'));
  });

  it('splits roles: api alone runs no feature module; vault brings the ledger it writes to', async () => {
    expect(await names(['api'])).toEqual([]);
    expect(await names(['vault'])).toEqual(['ledger', 'iam-audit-heads', 'vault']);
    expect(await names(['ledger'])).toEqual(['ledger', 'iam-audit-heads']);
    expect(await names(['monitor'])).toEqual(['monitor']);
    // The market settles into hub grants and logs on the ledger: it brings both.
    expect([...(await names(['market']))].sort()).toEqual(['hub', 'iam-audit-heads', 'ledger', 'market']);
  });
});
