import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Wallet } from 'ethers';
import { generatePlatformKey, type Store } from '../src/core/index.ts';
import { ledgerMigrations, sha256Hex, TransparencyLog } from '../src/ledger/index.ts';
import { Anchorer, latestAnchor } from '../src/ledger/anchor/anchorer.ts';
import { EvmAnchorClient } from '../src/ledger/anchor/client.ts';
import { startTestChain, type TestChain } from '../src/ledger/anchor/test-chain.ts';
import { postgresCase, sqliteCase, type StoreCase } from './helpers/stores.ts';

const fast = { retries: 1, baseDelayMs: 5, timeoutMs: 3000 };

async function fundedClient(chain: TestChain): Promise<EvmAnchorClient> {
  const privateKey = Wallet.createRandom().privateKey;
  await chain.fund(new Wallet(privateKey).address);
  return EvmAnchorClient.connect({ rpcUrl: chain.url, privateKey, ...fast });
}

/** An HTTP endpoint answering eth_chainId properly and everything else with `answer`. */
async function fakeRpc(answer: (method: string, id: unknown) => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const msg = JSON.parse(body) as { method: string; id: unknown };
      res.setHeader('content-type', 'application/json');
      res.end(
        msg.method === 'eth_chainId'
          ? JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: '0x7a69' })
          : answer(msg.method, msg.id),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** An in-process chain and a ledger store of `storeCase`, for the suite that calls it. */
function chainAndStore(storeCase: StoreCase): { readonly chain: TestChain; readonly store: Store } {
  const env = {} as { chain: TestChain; store: Store };
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    env.chain = await startTestChain();
    const opened = await storeCase.open(ledgerMigrations);
    env.store = opened.store;
    cleanup = opened.cleanup;
  });
  afterAll(async () => {
    await cleanup?.();
    await env.chain?.close();
  });
  return env;
}

describe('EVM anchoring against hardhat over HTTP JSON-RPC', () => {
  const env = chainAndStore(sqliteCase);
  const key = generatePlatformKey();

  it('deploys, anchors the latest head periodically-style, stores receipts and verifies them', async () => {
    const client = await fundedClient(env.chain);
    const { contract, chainId } = await client.deploy();
    expect(chainId).toBe(31337);
    const log = await TransparencyLog.open({ store: env.store, key });
    const anchorer = new Anchorer({ log, client, contract, store: env.store });

    expect(await anchorer.anchorLatest()).toBeUndefined(); // empty log: nothing to anchor
    await log.appendBatch(
      Array.from({ length: 5 }, (_, i) => ({ kind: 'audit.head', dataHash: sha256Hex(String(i)) })),
    );
    const first = await anchorer.anchorLatest();
    expect(first).toMatchObject({ size: 5, contract });
    expect(await anchorer.anchorLatest()).toBeUndefined(); // no new entries: no new transaction
    await log.append({ kind: 'vault.record', dataHash: sha256Hex('six') });
    const second = await anchorer.anchorLatest();
    expect(second?.size).toBe(6);
    expect(second!.blockNumber).toBeGreaterThan(first!.blockNumber);

    expect((await latestAnchor(env.store))?.txHash).toBe(second!.txHash);
    expect((await latestAnchor(env.store, 4))?.size).toBe(5);
    await client.verifyAnchored(contract, await log.checkpointAt(5));
    await client.verifyAnchored(contract, await log.latestCheckpoint());

    const forged = { ...(await log.latestCheckpoint()), root: Buffer.alloc(32, 7) };
    await expect(client.verifyAnchored(contract, forged)).rejects.toMatchObject({ code: 'ANCHOR_MISMATCH' });
    await expect(client.verifyAnchored(contract, await log.checkpointAt(3))).rejects.toMatchObject({
      code: 'ANCHOR_NOT_FOUND',
    });

    // Only the owner may anchor, and an anchored size cannot take another root.
    const stranger = await fundedClient(env.chain);
    await expect(stranger.anchor(contract, await log.checkpointAt(3))).rejects.toMatchObject({
      code: 'ANCHOR_REJECTED',
    });
    await expect(client.anchor(contract, forged)).rejects.toMatchObject({ code: 'ANCHOR_REJECTED' });
    client.close();
    stranger.close();
  });

  it('reports an endpoint that is down as ANCHOR_UNREACHABLE after retrying', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    await expect(
      EvmAnchorClient.connect({
        rpcUrl: `http://127.0.0.1:${port}`,
        privateKey: Wallet.createRandom().privateKey,
        ...fast,
      }),
    ).rejects.toMatchObject({
      code: 'ANCHOR_UNREACHABLE',
    });
  });

  it('reports garbage from the endpoint as ANCHOR_BAD_RESPONSE', async () => {
    const notJson = createServer((_req, res) => res.end('<html>oops</html>'));
    await new Promise<void>((r) => notJson.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(notJson.address() as AddressInfo).port}`;
    await expect(
      EvmAnchorClient.connect({ rpcUrl: url, privateKey: Wallet.createRandom().privateKey, ...fast }),
    ).rejects.toMatchObject({
      code: 'ANCHOR_BAD_RESPONSE',
    });
    notJson.close();

    let current = '';
    const fake = await fakeRpc(() => current);
    const client = await EvmAnchorClient.connect({
      rpcUrl: fake.url,
      privateKey: Wallet.createRandom().privateKey,
      ...fast,
    });
    const checkpoint = { origin: 'o', size: 1, root: Buffer.alloc(32, 1) };
    const contract = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.jsonValue().map((v) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: v })),
          fc.string().map((s) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: `0x${s}` })),
        ),
        async (body) => {
          current = body;
          const err = await client.verifyAnchored(contract, checkpoint).then(
            () => undefined,
            (e: unknown) => e as { code?: string },
          );
          expect(err?.code).toMatch(/^ANCHOR_(BAD_RESPONSE|NOT_FOUND|MISMATCH|REJECTED)$/);
        },
      ),
      { numRuns: 40 },
    );
    client.close();
    fake.server.close();
  });
});

describe('anchoring with two processes on one PostgreSQL', () => {
  const env = chainAndStore(postgresCase);
  const key = generatePlatformKey();

  it('anchors each head once: the second anchorer skips while the first holds the turn', async () => {
    const deployer = await fundedClient(env.chain);
    const { contract } = await deployer.deploy();
    const log = await TransparencyLog.open({ store: env.store, key });
    await log.appendBatch(Array.from({ length: 3 }, (_, i) => ({ kind: 'audit.head', dataHash: sha256Hex(`p${i}`) })));
    // Two processes: each its own log view and anchorer, sharing the store and the owner account.
    const otherLog = await TransparencyLog.open({ store: env.store, key });
    const a = new Anchorer({ log, client: deployer, contract, store: env.store });
    const b = new Anchorer({ log: otherLog, client: deployer, contract, store: env.store });
    const receipts = (await Promise.all([a.anchorLatest(), b.anchorLatest()])).filter((r) => r !== undefined);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.size).toBe(3);
    const rows = await env.store.db
      .withTables<import('../src/ledger/schema.ts').LedgerTables>()
      .selectFrom('ledger_anchors')
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
    // The next period, after B's process appended more, A anchors the head B grew.
    await otherLog.appendBatch([{ kind: 'audit.head', dataHash: sha256Hex('p3') }]);
    expect((await a.anchorLatest())?.size).toBe(4);
    deployer.close();
  });
});
