import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command, CommanderError } from 'commander';
import { isMsecError } from '../src/core/index.ts';
import type { CliIo } from '../src/cli/io.ts';
import { registerVaultCommands } from '../src/cli/commands/vault.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { vaultModule } from '../src/vault/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const PASS = 'a long enough passphrase';

/** Runs `msec vault ...` in-process with a local program; returns exit code and output. */
async function vault(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (l) => (out += `${l}\n`),
    err: (l) => (err += `${l}\n`),
    readStdin: async () => `${PASS}\n`,
  };
  const program = new Command('msec')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerVaultCommands(program, io);
  const apply = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(apply);
  };
  apply(program);
  try {
    await program.parseAsync(['vault', ...args], { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, out, err };
    if (isMsecError(e)) return { code: 1, out, err: `${err}${e.code}: ${e.message}` };
    throw e;
  }
}

describe('msec vault CLI against a running platform', () => {
  let t: TestPlatform;
  let dir: string;
  const users: Record<string, { id: string; token: string; key: string }> = {};

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [ledgerModule(), vaultModule()], listen: true });
    dir = mkdtempSync(join(tmpdir(), 'msec-vault-cli-'));
    const admin = await t.adminToken();
    await t.request('POST', '/api/v1/orgs', {
      token: admin,
      body: { id: 'santander', name: 'Santander', kind: 'city' },
    });
    for (const name of ['ana', 'ben', 'cat']) {
      const made = await t.request('POST', '/api/v1/principals', {
        token: admin,
        body: { org: 'santander', kind: 'user', name, roles: ['consumer'], password: `${name}-password-123` },
      });
      users[name] = {
        id: made.json().id as string,
        token: await t.login(name, `${name}-password-123`),
        key: join(dir, `${name}.key`),
      };
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (name: string, ...args: string[]) => [
    '--hub',
    t.platform.url,
    '--token',
    users[name]!.token,
    '--key',
    users[name]!.key,
    '--passphrase-stdin',
    ...args,
  ];
  const plain = (name: string, ...args: string[]) => ['--hub', t.platform.url, '--token', users[name]!.token, ...args];

  it('keygen, register, put, request, grant, get, revoke, erase', async () => {
    for (const name of ['ana', 'ben', 'cat']) {
      const k = await vault(['keygen', '--key', users[name]!.key, '--passphrase-stdin']);
      expect(k.code, k.err).toBe(0);
      expect(statSync(users[name]!.key).mode & 0o777).toBe(0o600);
      expect(readFileSync(users[name]!.key, 'utf8')).not.toMatch(/"d"/);
      expect((await vault(['register', ...as(name).filter((a) => a !== '--passphrase-stdin')])).code).toBe(0);
    }
    expect((await vault(['keygen', '--key', users.ana!.key, '--passphrase-stdin'])).code).toBe(1);

    const put = await vault(['put', ...as('ana', '--data', 'ana: allergic to penicillin')]);
    expect(put.code, put.err).toBe(0);
    const id = /stored (rec_\S+) version 1 \(ledger entry (\d+)/.exec(put.out)?.[1] as string;
    expect(id).toBeDefined();
    expect((await vault(['get', ...as('ana', id)])).out.trim()).toBe('ana: allergic to penicillin');

    const denied = await vault(['get', ...as('ben', id)]);
    expect([denied.code, denied.err]).toEqual([1, expect.stringContaining('VAULT_NO_GRANT')]);
    expect((await vault(['request', ...plain('ben', id, '--reason', 'my GP')])).out).toContain('pending');
    expect((await vault(['requests', ...plain('ana')])).out).toContain(`${id}\t${users.ben!.id}\tpending\tmy GP`);
    const grant = await vault(['grant', ...as('ana', id, '--reader', users.ben!.id)]);
    expect(grant.code, grant.err).toBe(0);
    const out = join(dir, 'ben.txt');
    expect((await vault(['get', ...as('ben', id, '--out', out)])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('ana: allergic to penicillin');
    expect((await vault(['get', ...as('cat', id)])).err).toContain('VAULT_NO_GRANT');

    expect((await vault(['revoke', ...plain('ana', id, '--reader', users.ben!.id)])).out).toContain(
      '1 wrapped keys destroyed',
    );
    expect((await vault(['put', ...as('ana', id, '--data', 'v2')])).out).toContain('version 2');
    expect((await vault(['get', ...as('ben', id)])).err).toContain('VAULT_NO_GRANT');

    const erased = await vault(['erase', ...plain('ana', id)]);
    expect(erased.out).toMatch(/erased rec_\S+; tombstone: v1 sha256 [0-9a-f]{64} at ledger entry \d+; v2/);
    expect((await vault(['get', ...as('ana', id)])).err).toContain('VAULT_ERASED');
  });

  it('fails clearly on a wrong passphrase, a bad record id, a missing token and an unreachable hub', async () => {
    process.env.MSEC_VAULT_PASSPHRASE = 'not the passphrase';
    try {
      const r = await vault([
        'put',
        '--hub',
        t.platform.url,
        '--token',
        users.ana!.token,
        '--key',
        users.ana!.key,
        '--data',
        'x',
      ]);
      expect(r.err).toContain('VAULT_KEY_LOCKED');
    } finally {
      delete process.env.MSEC_VAULT_PASSPHRASE;
    }
    expect((await vault(['get', ...as('ana', 'not-a-record')])).code).toBe(2);
    expect((await vault(['request', '--hub', t.platform.url, 'rec_AAAAAAAAAAAAAAAAAAAAAA'])).err).toContain('--token');
    const down = await vault(['request', '--hub', 'http://127.0.0.1:9', '--token', 'x', 'rec_AAAAAAAAAAAAAAAAAAAAAA']);
    expect(down.err).toContain('UNAVAILABLE');
  });
});
