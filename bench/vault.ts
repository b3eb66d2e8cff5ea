import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig, silentLogger } from '../src/core/index.ts';
import { openSqliteStore } from '../src/core/storage/sqlite.ts';
import { startPlatform } from '../src/server/index.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import {
  decryptRecord,
  encryptRecord,
  generateDataKey,
  generateVaultKeyPair,
  newRecordId,
  VaultClient,
  vaultModule,
} from '../src/vault/index.ts';
import { argValue, forDuration } from './helpers/measure.ts';

/**
 * Vault round trips through the real HTTP API (a listening server, the client doing the
 * encryption, wrapping, proof checks and decryption), on SQLite with durable commits:
 *   put/s (encrypt + wrap + HTTP + ledger append + store) and get/s (HTTP + proof + unwrap + decrypt),
 * against two references measured in the same run: raw AES-256-GCM encrypt+decrypt of the same
 * payload (WebCrypto), and raw durable inserts of the same ciphertext into SQLite.
 * Args: --seconds N (per measurement, default 3), --concurrency N (default 16), --bytes N (payload, default 1024).
 */
export async function run(args: string[]): Promise<void> {
  const ms = argValue(args, '--seconds', 3) * 1000;
  const concurrency = argValue(args, '--concurrency', 16);
  const payload = randomBytes(argValue(args, '--bytes', 1024));
  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-vault-'));
  const config = loadConfig({
    env: {},
    flags: { dataDir: join(dir, 'data'), port: 0, logLevel: 'silent', auth: { passwordHashCost: 10 } },
  });
  const platform = await startPlatform({ config, logger: silentLogger(), modules: [ledgerModule(), vaultModule()] });
  const refStore = openSqliteStore({ filename: join(dir, 'ref.db') });
  try {
    // References: raw crypto, raw durable inserts.
    const dk = await generateDataKey();
    const ctx = { recordId: newRecordId(), version: 1, ownerId: 'owner' };
    const rawCrypto = await forDuration(ms, concurrency, async () =>
      decryptRecord(await encryptRecord(payload, dk, ctx), dk, ctx),
    );
    await sql`CREATE TABLE ref (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`.execute(refStore.db);
    const body = Buffer.from(payload);
    const rawInsert = await forDuration(ms, concurrency, () =>
      refStore.db.transaction().execute((trx) => sql`INSERT INTO ref (body) VALUES (${body})`.execute(trx)),
    );

    const password = (JSON.parse(readFileSync(platform.adminCredentialFile!, 'utf8')) as { password: string }).password;
    const login = await fetch(new URL('/api/v1/auth/login', platform.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const client = new VaultClient({ baseUrl: platform.url, token });
    const me = await generateVaultKeyPair();
    await client.registerKey(me);
    const ids: string[] = [];
    const puts = await forDuration(ms, concurrency, async () => ids.push((await client.put(payload, me)).id));
    let next = 0;
    const gets = await forDuration(ms, concurrency, () => client.get(ids[next++ % ids.length] as string, me));

    const f = (n: number) => n.toFixed(0).padStart(8);
    console.log(
      `payload ${payload.length} B, concurrency ${concurrency}, ${ms / 1000} s per measurement, SQLite (durable) in ${dir}`,
    );
    console.log(`reference  raw AES-256-GCM encrypt+decrypt   ${f(rawCrypto)} /s`);
    console.log(`reference  raw durable SQLite inserts        ${f(rawInsert)} /s`);
    console.log(
      `vault put  (client crypto + HTTP + ledger)   ${f(puts)} /s   = ${(puts / rawCrypto).toFixed(4)} x raw crypto, ${(puts / rawInsert).toFixed(3)} x raw inserts`,
    );
    console.log(
      `vault get  (HTTP + proof + unwrap + decrypt) ${f(gets)} /s   = ${(gets / rawCrypto).toFixed(4)} x raw crypto, ${(gets / rawInsert).toFixed(3)} x raw inserts`,
    );
  } finally {
    await platform.close();
    await refStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
