import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { EvmAnchorClient, verifyCheckpoint } from '../src/ledger/index.ts';
import { startTestChain, type TestChain } from '../src/ledger/anchor/test-chain.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { memoryOutboxModule } from './helpers/outbox.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('ledger module anchoring on an in-process EVM', () => {
  let chain: TestChain;
  let t: TestPlatform;
  let dataDir: string;
  let contract: string;
  const mod = ledgerModule({ batchMaxReadings: 2, anchorIntervalMs: 100 });
  const outbox = memoryOutboxModule();

  beforeAll(async () => {
    chain = await startTestChain();
    dataDir = mkdtempSync(join(tmpdir(), 'msec-anchor-'));
    const privateKey = Wallet.createRandom().privateKey;
    await chain.fund(new Wallet(privateKey).address);
    const deployer = await EvmAnchorClient.connect({ rpcUrl: chain.url, privateKey, retries: 1, baseDelayMs: 5 });
    ({ contract } = await deployer.deploy());
    deployer.close();
    // What `msec ledger deploy-anchor` leaves in the data directory.
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'keys', 'evm-anchor.key'), `${privateKey}\n`, { mode: 0o600 });
    writeFileSync(join(dataDir, 'ledger-anchor.json'), JSON.stringify({ contract, chainId: 31337 }));
    t = await startTestPlatform({ modules: [mod, outbox], config: { dataDir, evmRpcUrl: chain.url } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await chain?.close();
  });

  it('anchors the tree head of logged batches, serves the receipt, and the chain holds the root', async () => {
    const admin = await t.adminToken();
    for (let i = 0; i < 2; i++) outbox.add(randomBytes(50));
    await mod.consumer()!.round();
    const anchors = await until(async () => {
      const body = (await t.request('GET', '/api/v1/ledger/anchors', { token: admin })).json() as {
        items: { size: number; contract: string }[];
      };
      return body.items.length > 0 ? body.items : undefined;
    }, 'an anchor receipt');
    expect(anchors[0]!.contract.toLowerCase()).toBe(contract.toLowerCase());
    const size = anchors[0]!.size;
    const inc = (
      await t.request('GET', `/api/v1/ledger/proofs/inclusion?index=0&treeSize=${size}`, { token: admin })
    ).json() as { checkpoint: { note: string; anchor?: { contract: string } } };
    expect(inc.checkpoint.anchor?.contract.toLowerCase()).toBe(contract.toLowerCase());
    const head = verifyCheckpoint(inc.checkpoint.note, t.platform.ctx.platformKey.publicKey);
    const reader = await EvmAnchorClient.connect({
      rpcUrl: chain.url,
      privateKey: Wallet.createRandom().privateKey,
      retries: 1,
      baseDelayMs: 5,
    });
    try {
      await expect(reader.verifyAnchored(contract, head)).resolves.toBeUndefined();
    } finally {
      reader.close();
    }
  });
});
