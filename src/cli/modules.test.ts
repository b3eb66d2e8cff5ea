import { describe, it, expect } from 'vitest';
import { loadConfig } from '../core/index.ts';
import { platformModules } from './modules.ts';

const names = (roles: string[]) => platformModules(loadConfig({ env: {}, flags: { roles } })).map((m) => m.name);

describe('platformModules', () => {
  it('runs every module for the default role, devices before the data side of the hub', () => {
    expect(names(['all'])).toEqual(['ledger', 'hub-devices', 'hub-data', 'vault', 'monitor']);
    expect(names(['hub'])).toEqual(['ledger', 'hub-devices', 'hub-data']);
  });

  it('splits roles: api alone runs no feature module; vault brings the ledger it writes to', () => {
    expect(names(['api'])).toEqual([]);
    expect(names(['vault'])).toEqual(['ledger', 'vault']);
    expect(names(['ledger'])).toEqual(['ledger']);
    expect(names(['monitor'])).toEqual(['monitor']);
  });
});
