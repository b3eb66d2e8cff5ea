import { describe, expect, it } from 'vitest';
import { generatePlatformKey } from '../../core/index.ts';
import type { Subject } from '../../iam/index.ts';
import type { AcceptedReading } from '../contracts.ts';
import type { Agreement, AgreementStore } from './agreements.ts';
import { applyPush } from './importer.ts';
import type { SharedReading } from './wire.ts';

const partner: Subject = {
  id: 'svc-1',
  name: 'santander-hub',
  kind: 'service',
  org: 'fujisawa',
  roles: ['provider'],
  via: 'api-key',
} as Subject;

function agreement(aggregate: Agreement['aggregate']): Agreement {
  return {
    id: 'agr-1',
    direction: 'import',
    localOrg: 'fujisawa',
    partner: 'santander',
    resources: ['air-*'],
    decimals: null,
    pseudonymise: false,
    keepSignatures: false,
    aggregate,
    validUntil: Date.now() + 60_000,
    endpoint: null,
    partnerKey: null,
    principalId: 'svc-1',
    status: 'active',
    cursor: 0,
    createdAt: 0,
  };
}

const reading = (over: Partial<SharedReading> = {}): SharedReading => ({
  seq: 7,
  deviceId: 'air-1',
  provider: 'air-1',
  service: 'weather',
  resource: 'pm25',
  value: 12,
  timestamp: 1_000,
  counter: 3,
  attestation: 'unattested',
  ...over,
});
const avgWindow = { windowSeconds: 60, statistic: 'avg' as const, count: 4 };

async function push(a: Agreement, items: SharedReading[]) {
  const applied: Array<{ r: AcceptedReading; seq: number | null }> = [];
  const agreements = { get: async () => a, saveDeviceKey: async () => undefined } as unknown as AgreementStore;
  const ack = await applyPush(
    {
      agreements,
      platformKey: generatePlatformKey(),
      now: () => 5_000,
      apply: async (r, _o, seq) => void applied.push({ r, seq }),
    },
    partner,
    { agreementId: a.id, nonce: 'nonce-1234', items },
  );
  return { ack, applied };
}

describe('applyPush: only the agreed form crosses', () => {
  it('a per-reading agreement takes readings and refuses aggregates', async () => {
    const { ack, applied } = await push(agreement(null), [reading(), reading({ seq: 8, aggregate: avgWindow })]);
    expect([ack.applied, ack.refused, ack.acked]).toEqual([1, 1, 8]);
    expect(applied.map((x) => [x.r.deviceId, x.seq])).toEqual([['santander~air-1', 7]]);
  });

  it('an aggregating agreement takes aggregates of its window and statistic only, each under its device and resource', async () => {
    const a = agreement({ windowSeconds: 60, statistic: 'avg' });
    const { ack, applied } = await push(a, [
      reading({ aggregate: avgWindow }),
      reading({ resource: 'pm10', aggregate: avgWindow }),
      reading(), // a raw reading: more than agreed
      reading({ aggregate: { ...avgWindow, statistic: 'max' } }),
      reading({ aggregate: { ...avgWindow, windowSeconds: 300 } }),
      reading({ aggregate: avgWindow, value: 'high' }),
    ]);
    expect([ack.applied, ack.refused]).toEqual([2, 4]);
    expect(applied.map((x) => [x.r.deviceId, x.r.counter, x.seq])).toEqual([
      ['santander~air-1#weather/pm25', 3, null],
      ['santander~air-1#weather/pm10', 3, null],
    ]);
  });
});
