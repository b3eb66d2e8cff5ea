/**
 * Issue 14 (accounting): reports per principal and per resource over a period (requests,
 * denials, failures, bytes), on SQLite and PostgreSQL: the accounting store itself with a
 * manual clock, the admin-only HTTP route in JSON and RFC 4180 CSV, and `msec audit report`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type Store } from '../src/core/index.ts';
import { iamMigrations, UsageAccounting, USAGE_BUCKET_MS } from '../src/iam/index.ts';
import { runMsec } from './helpers/cli.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { storeCases } from './helpers/stores.ts';

const H = USAGE_BUCKET_MS;
const T0 = Date.UTC(2026, 5, 1, 10);

describe.each(storeCases)('usage accounting ($name)', (storeCase) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await storeCase.open(iamMigrations));
  }, 60_000);
  afterAll(async () => cleanup?.());

  it('sums requests, denials, failures and bytes per principal and per resource over whole hours', async () => {
    const clock = new ManualClock(T0 + 5 * 60_000);
    const a = new UsageAccounting(store, clock);
    const b = new UsageAccounting(store, clock); // a second process on the same store
    const alice = { principalId: 'p-alice', principalName: 'alice', orgId: 'city-a' };
    a.record({ ...alice, resource: 'hub:device', status: 200, bytesIn: 0, bytesOut: 1000 });
    a.record({ ...alice, resource: 'hub:device', status: 403, bytesIn: 50, bytesOut: 80 });
    b.record({ ...alice, resource: 'hub:device', status: 201, bytesIn: 300, bytesOut: 40 });
    b.record({
      principalId: 'p-bob',
      principalName: 'bob',
      orgId: 'city-b',
      resource: 'vault:record',
      status: 500,
      bytesIn: 7,
      bytesOut: 9,
    });
    b.record({ resource: '/api/v1/auth/login', status: 401, bytesIn: 60, bytesOut: 70 });
    await a.flush();
    await b.flush();
    // The next hour, and a flush that adds to rows already stored.
    clock.advance(H);
    a.record({ ...alice, resource: 'iam:principal', status: 200, bytesIn: 0, bytesOut: 500 });
    a.record({ ...alice, resource: 'hub:device', status: 200, bytesIn: 0, bytesOut: 1 });
    await a.flush();
    clock.advance(-H);
    a.record({ ...alice, resource: 'hub:device', status: 200, bytesIn: 1, bytesOut: 1 });
    await a.flush();

    const first = await a.report({ by: 'principal', from: T0 + 1, to: T0 + 2 });
    expect(first.from).toBe(T0);
    expect(first.to).toBe(T0 + H);
    expect(first.rows).toEqual([
      {
        key: '',
        principalName: null,
        org: null,
        requests: 1,
        denials: 1,
        failures: 0,
        bytesIn: 60,
        bytesOut: 70,
        distinct: 1,
      },
      {
        key: 'p-alice',
        principalName: 'alice',
        org: 'city-a',
        requests: 4,
        denials: 1,
        failures: 0,
        bytesIn: 351,
        bytesOut: 1121,
        distinct: 1,
      },
      {
        key: 'p-bob',
        principalName: 'bob',
        org: 'city-b',
        requests: 1,
        denials: 0,
        failures: 1,
        bytesIn: 7,
        bytesOut: 9,
        distinct: 1,
      },
    ]);
    const both = await a.report({ by: 'resource', from: T0, to: T0 + 2 * H });
    expect(both.rows.map((r) => [r.key, r.requests, r.denials, r.bytesOut, r.distinct])).toEqual([
      ['/api/v1/auth/login', 1, 1, 70, 1],
      ['hub:device', 5, 1, 1122, 1],
      ['iam:principal', 1, 0, 500, 1],
      ['vault:record', 1, 0, 9, 1],
    ]);
    const orgA = await a.report({ by: 'resource', from: T0, to: T0 + 2 * H, orgId: 'city-a' });
    expect(orgA.rows.map((r) => r.key)).toEqual(['hub:device', 'iam:principal']);
    const later = await a.report({ by: 'principal', from: T0 + 2 * H, to: T0 + 3 * H });
    expect(later.rows).toEqual([]);
  });

  it('refuses an empty or reversed period with IAM_AUDIT_REPORT_INVALID', async () => {
    const u = new UsageAccounting(store, new ManualClock());
    await expect(u.report({ by: 'principal', from: T0, to: T0 })).rejects.toMatchObject({
      code: 'IAM_AUDIT_REPORT_INVALID',
    });
    await expect(u.report({ by: 'x' as 'principal', from: 0, to: T0 })).rejects.toMatchObject({
      code: 'IAM_AUDIT_REPORT_INVALID',
    });
  });
});

describe.each(storeCases)('GET /api/v1/audit/report ($name)', (storeCase) => {
  let t: TestPlatform;
  let cleanup: () => Promise<void>;
  let admin: string;
  let operator: string;
  const start = Date.now();

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    t = await startTestPlatform({ store: opened.store });
    admin = await t.adminToken();
    expect(
      (await t.request('POST', '/api/v1/orgs', { token: admin, body: { id: 'city-a', name: 'City A', kind: 'city' } }))
        .statusCode,
    ).toBe(201);
    const op = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'city-a', kind: 'user', name: 'opal', roles: ['operator'], password: 'operator-password-1' },
    });
    expect(op.statusCode).toBe(201);
    operator = await t.login('opal', 'operator-password-1');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  it('reports per principal in JSON, counting reads, denials and bytes; operators are refused', async () => {
    for (let i = 0; i < 3; i++)
      expect((await t.request('GET', '/api/v1/principals?org=city-a', { token: operator })).statusCode).toBe(200);
    const denied = await t.request('GET', `/api/v1/audit/report?by=principal&from=${start}`, { token: operator });
    expect(denied.statusCode).toBe(403);
    const r = await t.request('GET', `/api/v1/audit/report?by=principal&from=${new Date(start).toISOString()}`, {
      token: admin,
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as {
      rows: Array<{ principalName: string; requests: number; denials: number; bytesOut: number; distinct: number }>;
    };
    const opal = body.rows.find((x) => x.principalName === 'opal')!;
    // Its login, three reads and the refused report.
    expect(opal).toMatchObject({ requests: 5, denials: 1, distinct: 3 });
    expect(opal.bytesOut).toBeGreaterThan(0);
    // Its login, the organisation and the principal it created (this request is counted once answered).
    expect(body.rows.find((x) => x.principalName === 'admin')!.requests).toBe(3);
  });

  it('reports per resource as RFC 4180 CSV', async () => {
    const r = await t.request('GET', `/api/v1/audit/report?by=resource&from=${start}&format=csv`, { token: admin });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.body.split('\r\n');
    expect(lines[0]).toBe('from,to,resource,requests,denials,failures,bytes_in,bytes_out,principals');
    expect(lines.at(-1)).toBe('');
    const principal = lines.find((l) => l.split(',')[2] === 'iam:principal')!.split(',');
    expect(Number(principal[3])).toBeGreaterThanOrEqual(4);
    const audit = lines.find((l) => l.split(',')[2] === 'iam:audit')!.split(',');
    expect(Number(audit[4])).toBeGreaterThanOrEqual(1);
  });

  it('answers IAM_AUDIT_REPORT_INVALID for a bad period and VALIDATION_FAILED for a bad grouping', async () => {
    const bad = await t.request('GET', `/api/v1/audit/report?by=principal&from=yesterday`, { token: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('IAM_AUDIT_REPORT_INVALID');
    const rev = await t.request('GET', `/api/v1/audit/report?by=principal&from=${start + 10 * H}&to=${start}`, {
      token: admin,
    });
    expect(rev.json().error.code).toBe('IAM_AUDIT_REPORT_INVALID');
    const by = await t.request('GET', `/api/v1/audit/report?by=device&from=${start}`, { token: admin });
    expect(by.statusCode).toBe(400);
    expect(by.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('msec audit report', () => {
  it('prints the stored report as CSV and JSON from the data directory', async () => {
    const t = await startTestPlatform();
    const admin = await t.adminToken();
    expect((await t.request('GET', '/api/v1/principals', { token: admin })).statusCode).toBe(200);
    const dataDir = t.dataDir;
    await t.platform.ctx.iam.usage.flush();
    try {
      const csv = await runMsec(['audit', 'report', '--by', 'principal', '--data-dir', dataDir, '--format', 'csv'], {
        timeoutMs: 120_000,
      });
      expect(csv.code, csv.stderr).toBe(0);
      const rows = csv.stdout.split('\r\n');
      expect(rows[0]).toBe(
        'from,to,principal_id,principal_name,org,requests,denials,failures,bytes_in,bytes_out,resources',
      );
      expect(
        rows.some((l) => l.split(',')[3] === 'admin'),
        csv.stdout,
      ).toBe(true);
      const json = await runMsec(['audit', 'report', '--by', 'resource', '--data-dir', dataDir], {
        timeoutMs: 120_000,
      });
      expect(json.code, json.stderr).toBe(0);
      expect((JSON.parse(json.stdout) as { rows: Array<{ key: string }> }).rows.map((r) => r.key)).toContain(
        'iam:principal',
      );
      const bad = await runMsec(['audit', 'report', '--by', 'principal', '--from', 'soon', '--data-dir', dataDir], {
        timeoutMs: 120_000,
      });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--from: expected an RFC 3339 time');
    } finally {
      await t.close();
    }
  }, 180_000);
});
