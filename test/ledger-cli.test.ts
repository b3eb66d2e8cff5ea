import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { Wallet } from 'ethers';
import { generatePlatformKey, loadOrCreatePlatformKey, migrate, openStore } from '../src/core/index.ts';
import {
  ledgerMigrations,
  sha256Hex,
  TransparencyLog,
  verifyCheckpoint,
  verifyConsistency,
} from '../src/ledger/index.ts';
import { registerLedgerCommands } from '../src/cli/commands/ledger.ts';
import { startTestChain, type TestChain } from '../src/ledger/anchor/test-chain.ts';

function cli() {
  const out: string[] = [];
  const program = new Command('msec');
  registerLedgerCommands(program, { out: (l) => out.push(l), err: (l) => out.push(l), readStdin: async () => '' });
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  return { out, run: (...args: string[]) => program.parseAsync(args, { from: 'user' }) };
}

describe('msec ledger commands', () => {
  let dir: string;
  let chain: TestChain;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-ledger-cli-'));
    const store = await openStore({ dataDir: dir });
    await migrate(store, ledgerMigrations);
    const log = await TransparencyLog.open({ store, key: loadOrCreatePlatformKey(dir).key });
    await log.appendBatch(
      Array.from({ length: 11 }, (_, i) => ({ kind: 'market.settlement', dataHash: sha256Hex(`s${i}`) })),
    );
    await store.close();
    chain = await startTestChain();
  });
  afterAll(async () => {
    await chain?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the latest checkpoint, signed by the data directory key', async () => {
    const c = cli();
    await c.run('ledger', 'checkpoint', '--data-dir', dir);
    const note = `${c.out.join('\n')}\n`;
    expect(verifyCheckpoint(note, loadOrCreatePlatformKey(dir).key.publicKey).size).toBe(11);
  });

  it('writes proof files that verify, and rejects tampered ones in one line', async () => {
    const out = join(dir, 'p3');
    await cli().run('ledger', 'proof', '3', '--data-dir', dir, '--out', out);
    const files = [
      '--entry',
      join(out, 'entry.json'),
      '--proof',
      join(out, 'proof.json'),
      '--checkpoint',
      join(out, 'checkpoint.json'),
    ];
    const ok = cli();
    await ok.run('ledger', 'verify', ...files, '--public-key', join(out, 'public-key.pem'));
    expect(ok.out).toEqual([expect.stringMatching(/^OK: entry 3 \(market\.settlement\) is in .* at tree size 11$/)]);

    const entry = JSON.parse(readFileSync(join(out, 'entry.json'), 'utf8')) as { dataHash: string };
    writeFileSync(join(out, 'forged.json'), JSON.stringify({ ...entry, dataHash: sha256Hex('forged') }));
    const forged = files.map((f) => (f.endsWith('entry.json') ? join(out, 'forged.json') : f));
    await expect(
      cli().run('ledger', 'verify', ...forged, '--public-key', join(out, 'public-key.pem')),
    ).rejects.toMatchObject({
      code: 'LEDGER_VERIFY_FAILED',
      message: expect.stringMatching(/^verification failed: inclusion proof does not lead to the root$/),
    });
    const stranger = join(out, 'stranger.pem');
    writeFileSync(stranger, generatePlatformKey().publicKey.export({ format: 'pem', type: 'spki' }) as string);
    await expect(cli().run('ledger', 'verify', ...files, '--public-key', stranger)).rejects.toMatchObject({
      code: 'LEDGER_VERIFY_FAILED',
    });
    writeFileSync(join(out, 'junk.json'), '{nope');
    const junk = files.map((f) => (f.endsWith('proof.json') ? join(out, 'junk.json') : f));
    await expect(cli().run('ledger', 'verify', ...junk, '--data-dir', dir)).rejects.toMatchObject({
      code: 'LEDGER_VERIFY_FAILED',
    });
  });

  it('prints a consistency proof that verifies between the two signed heads', async () => {
    const c = cli();
    await c.run('ledger', 'consistency', '4', '11', '--data-dir', dir);
    const p = JSON.parse(c.out.join('\n')) as { oldRoot: string; newRoot: string; hashes: string[] };
    const b = (s: string) => Buffer.from(s, 'base64');
    verifyConsistency(4, 11, p.hashes.map(b), b(p.oldRoot), b(p.newRoot));
    await expect(cli().run('ledger', 'consistency', '12', '11', '--data-dir', dir)).rejects.toMatchObject({
      code: 'LEDGER_SIZE_INVALID',
    });
  });

  it('deploys the anchor, anchors the head and verifies an entry against the chain', async () => {
    const keyFile = join(dir, 'evm.key');
    const wallet = Wallet.createRandom();
    writeFileSync(keyFile, wallet.privateKey);
    await chain.fund(wallet.address);
    const deploy = cli();
    await deploy.run('ledger', 'deploy-anchor', '--evm', chain.url, '--key-file', keyFile, '--data-dir', dir);
    expect(deploy.out[0]).toMatch(/^deployed Anchor at 0x[0-9a-fA-F]{40} on chain 31337/);
    const anchor = cli();
    await anchor.run('ledger', 'anchor', '--evm', chain.url, '--key-file', keyFile, '--data-dir', dir);
    expect(anchor.out[0]).toMatch(/^anchored tree size 11 in tx 0x/);

    const out = join(dir, 'p7');
    await cli().run('ledger', 'proof', '7', '--data-dir', dir, '--out', out);
    const files = [
      '--entry',
      join(out, 'entry.json'),
      '--proof',
      join(out, 'proof.json'),
      '--checkpoint',
      join(out, 'checkpoint.json'),
    ];
    const ok = cli();
    await ok.run('ledger', 'verify', ...files, '--public-key', join(out, 'public-key.pem'), '--evm', chain.url);
    expect(ok.out[0]).toMatch(/anchored on chain 31337$/);

    // A contract that never saw this log: the anchor check must fail.
    const other = cli();
    await other.run(
      'ledger',
      'deploy-anchor',
      '--evm',
      chain.url,
      '--key-file',
      keyFile,
      '--data-dir',
      join(dir, 'other'),
    );
    const otherAddress = /at (0x[0-9a-fA-F]{40})/.exec(other.out[0]!)![1]!;
    await expect(
      cli().run(
        'ledger',
        'verify',
        ...files,
        '--public-key',
        join(out, 'public-key.pem'),
        '--evm',
        chain.url,
        '--contract',
        otherAddress,
      ),
    ).rejects.toMatchObject({ code: 'LEDGER_VERIFY_FAILED', message: expect.stringContaining('no root is anchored') });
  });
});
