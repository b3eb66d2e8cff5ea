import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorModule } from '../src/monitor/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

describe('monitor demo hook', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ modules: [monitorModule()], config: { demo: true } });
  });
  afterAll(async () => {
    await t.close();
  });

  it("seeds both cities' inboxes with grouped IDS alerts carrying ATT&CK ids", async () => {
    const items = (await t.request('GET', '/api/v1/monitor/alerts?kind=ids', { token: await t.adminToken() })).json()
      .items as Array<{ org: string; count: number; mitre: { technique: string; tactic: string } }>;
    expect(new Set(items.map((a) => a.org))).toEqual(new Set(['santander', 'fujisawa']));
    expect(items.filter((a) => a.mitre.technique === 'T1110').map((a) => a.count)).toEqual([2, 2]);
    expect(items.every((a) => /^TA\d{4}$/.test(a.mitre.tactic))).toBe(true);
    const cross = (
      await t.request('GET', '/api/v1/monitor/alerts?kind=correlation&org=platform', { token: await t.adminToken() })
    ).json().items as Array<{ rule: { title: string } }>;
    expect(cross.map((a) => a.rule.title)).toContain("One source touching several cities' gateways");
  });
});
