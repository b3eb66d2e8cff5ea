import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerModule } from '../src/ledger/index.ts';
import { generateVaultKeyPair, VaultClient, vaultModule, type VaultKeyPair } from '../src/vault/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const te = new TextEncoder();

/** GET /vault/records: an owner's own records with readers and pending requests, page by page. */
describe('vault: listing your own records', () => {
  let t: TestPlatform;
  const people: Record<string, { id: string; token: string; keys: VaultKeyPair; client: VaultClient }> = {};

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [ledgerModule(), vaultModule()], listen: true });
    const admin = await t.adminToken();
    await t.request('POST', '/api/v1/orgs', { token: admin, body: { id: 'santander', name: 'S', kind: 'city' } });
    for (const name of ['alice', 'bob', 'carol']) {
      const made = await t.request('POST', '/api/v1/principals', {
        token: admin,
        body: { org: 'santander', kind: 'user', name, roles: ['consumer'], password: `${name}-password-123` },
      });
      expect(made.statusCode).toBe(201);
      const token = await t.login(name, `${name}-password-123`);
      const keys = await generateVaultKeyPair();
      const client = new VaultClient({ baseUrl: t.platform.url, token });
      await client.registerKey(keys);
      people[name] = { id: made.json().id as string, token, keys, client };
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (who: string, query = '') =>
    t.request('GET', `/api/v1/vault/records${query}`, { token: people[who]!.token });

  it('lists only the caller’s records, with active readers and pending requests, and pages', async () => {
    const alice = people.alice!;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await alice.client.put(te.encode(`record ${i}`), alice.keys)).id);
    await people.bob!.client.requestAccess(ids[0]!, 'please');
    await people.carol!.client.requestAccess(ids[0]!, 'me too');
    await alice.client.grant(ids[0]!, people.bob!.id, alice.keys);

    const all = await list('alice');
    expect(all.statusCode).toBe(200);
    const items = all.json().items as Array<{ id: string; readers: string[]; pendingRequests: number }>;
    expect(items.map((r) => r.id).sort()).toEqual([...ids].sort());
    const first = items.find((r) => r.id === ids[0])!;
    expect(first).toMatchObject({ readers: [people.bob!.id], pendingRequests: 1, latestVersion: 1, erasedAt: null });
    expect(all.json().nextOffset).toBeNull();

    const page1 = (await list('alice', '?limit=2')).json();
    const page2 = (await list('alice', `?limit=2&offset=${page1.nextOffset}`)).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextOffset).toBe(2);
    expect(page2.items).toHaveLength(1);
    expect(page2.nextOffset).toBeNull();
    expect([...page1.items, ...page2.items].map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());

    expect((await list('bob')).json().items).toEqual([]);
  });

  it('refuses a bad page with the one error shape', async () => {
    const bad = await list('alice', '?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });
});
