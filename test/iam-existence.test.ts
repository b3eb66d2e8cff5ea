/**
 * No existence disclosure: another organisation's principal, device, twin, access rule, API key
 * and vault record answer exactly as a missing one does (status, code, message), and a vault
 * proof needs a right to the record. /metrics follows the role hierarchy.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubModule } from '../src/hub/index.ts';
import { iamMigrations } from '../src/iam/index.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { generateVaultKeyPair, VaultClient, vaultModule } from '../src/vault/index.ts';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { storeCases } from './helpers/stores.ts';

/** Another id of the same shape (the last character changed), which nobody holds. */
function sibling(id: string): string {
  const last = id.at(-1) === 'A' ? 'B' : 'A';
  return id.slice(0, -1) + last;
}

describe.each(storeCases)("another organisation's resources answer as missing ones ($name)", (storeCase) => {
  let t: TestPlatform;
  let cleanup: () => Promise<void>;
  let admin: string;
  let device: SimDevice;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  async function user(org: string, role: string): Promise<{ id: string; token: string }> {
    const name = `${org}-${role}-${randomBytes(2).toString('hex')}`;
    const made = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org, kind: 'user', name, roles: [role], password: `${name}-password` },
    });
    expect(made.statusCode).toBe(201);
    return { id: made.json().id as string, token: await t.login(name, `${name}-password`) };
  }

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    t = await startTestPlatform({
      store: opened.store,
      modules: [hubModule(), ledgerModule(), vaultModule()],
      listen: true,
      config: { auth: { loginRateLimitPerMinute: 1000 } },
    });
    admin = await t.adminToken();
    for (const id of ['santander', 'fujisawa'])
      expect(
        (await t.request('POST', '/api/v1/orgs', { token: admin, body: { id, name: id, kind: 'city' } })).statusCode,
      ).toBe(201);
    const owner = await user('santander', 'consumer');
    ids.principal = owner.id;
    const enrollmentToken = async (org: string) =>
      (await t.request('POST', '/api/v1/devices/enrollment-tokens', { token: admin, body: { org, maxUses: 1 } })).json()
        .token as string;
    device = await SimDevice.create(
      { platform: t.platform, enrollmentToken } as never,
      `air-${randomBytes(3).toString('hex')}`,
      'santander',
    );
    ids.device = device.id;
    expect(
      (await postReading(t.platform.url, await device.reading(`${device.id}/air/no2`, 40), await device.credential()))
        .status,
    ).toBe(202);
    const rule = await t.request('POST', '/api/v1/access-rules', {
      token: admin,
      body: {
        org: 'santander',
        principalId: owner.id,
        provider: '*',
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    ids.rule = rule.json().id as string;
    const key = await t.request('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'mine' } });
    ids.apiKey = key.json().info.id as string;
    const keys = await generateVaultKeyPair();
    const vault = new VaultClient({ baseUrl: t.platform.url, token: owner.token });
    await vault.registerKey(keys);
    ids.record = (await vault.put(new TextEncoder().encode('{"diagnosis":"asthma"}'), keys)).id;
    tokens.fujisawaAdmin = (await user('fujisawa', 'admin')).token;
    tokens.fujisawaAnalyst = (await user('fujisawa', 'analyst')).token;
    tokens.santanderAnalyst = (await user('santander', 'analyst')).token;
    tokens.santanderAdmin = (await user('santander', 'admin')).token;
    tokens.santanderOperator = (await user('santander', 'operator')).token;
  }, 90_000);

  afterAll(async () => {
    await device?.close();
    await t?.close();
    await cleanup?.();
  });

  const probes: Array<[string, string, (id: string) => string, unknown?]> = [
    ['principal', 'GET', (id) => `/api/v1/principals/${id}`],
    ['principal', 'PATCH', (id) => `/api/v1/principals/${id}`, { roles: ['admin'] }],
    ['principal', 'DELETE', (id) => `/api/v1/principals/${id}`],
    ['principal', 'POST', (id) => `/api/v1/principals/${id}/unlock`],
    ['device', 'GET', (id) => `/api/v1/devices/${id}`],
    ['device', 'POST', (id) => `/api/v1/devices/${id}/revoke`, { reason: 'probe' }],
    ['device', 'GET', (id) => `/api/v1/providers/${id}/services/air/resources/no2`],
    ['rule', 'DELETE', (id) => `/api/v1/access-rules/${id}`],
    ['apiKey', 'DELETE', (id) => `/api/v1/api-keys/${id}`],
    ['record', 'GET', (id) => `/vault/records/${id}/proof`],
    ['record', 'GET', (id) => `/vault/records/${id}/grants`],
    ['record', 'POST', (id) => `/vault/records/${id}/erase`],
  ];

  it.each(probes)(
    "%s: %s %s answers the same for another organisation's and a missing one",
    async (kind, method, path, body) => {
      for (const who of ['fujisawaAdmin', 'fujisawaAnalyst']) {
        const real = ids[kind]!;
        const missing = sibling(real);
        const url = (id: string) => path(id).replace(/^\/vault/, '/api/v1/vault');
        const a = await t.request(method, url(real), { token: tokens[who]!, ...(body !== undefined ? { body } : {}) });
        const b = await t.request(method, url(missing), {
          token: tokens[who]!,
          ...(body !== undefined ? { body } : {}),
        });
        expect(a.statusCode, `${who} ${method} ${url(real)}: ${a.body}`).toBe(b.statusCode);
        expect(a.statusCode).toBeGreaterThanOrEqual(400);
        expect(a.body.replaceAll(real, 'ID'), who).toBe(b.body.replaceAll(missing, 'ID'));
      }
      // And the resource is still there.
      expect((await t.request('GET', '/api/v1/principals/' + ids.principal, { token: admin })).statusCode).toBe(200);
    },
  );

  it("a vault proof needs a right to the record: the owner's org staff yes, another org's analyst no", async () => {
    const proof = (token: string) => t.request('GET', `/api/v1/vault/records/${ids.record}/proof`, { token });
    expect((await proof(tokens.santanderAnalyst!)).statusCode).toBe(200);
    expect((await proof(admin)).statusCode).toBe(200);
    const other = await proof(tokens.fujisawaAnalyst!);
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe('VAULT_NOT_FOUND');
  });

  it('/metrics follows the role hierarchy: an org admin reads what an org operator reads', async () => {
    expect((await t.request('GET', '/metrics', { token: tokens.santanderOperator! })).statusCode).toBe(200);
    expect((await t.request('GET', '/metrics', { token: tokens.santanderAdmin! })).statusCode).toBe(200);
    expect((await t.request('GET', '/metrics', { token: tokens.santanderAnalyst! })).statusCode).toBe(403);
  });
});
