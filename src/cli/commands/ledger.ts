import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { Wallet } from 'ethers';
import {
  errorMessage,
  loadOrCreatePlatformKey,
  migrate,
  MsecError,
  openStore,
  readTextIfExists,
  writePrivateFile,
  type Config,
} from '../../core/index.ts';
import {
  Anchorer,
  checkpointFile,
  EvmAnchorClient,
  latestAnchor,
  ledgerMigrations,
  parseAnchorRef,
  proofToJson,
  TransparencyLog,
  verifyProofBundle,
} from '../../ledger/index.ts';
import type { CliIo } from '../io.ts';
import { configFromOptions, withDataOptions, type DataOptionValues } from '../options.ts';

/** Anchor deployment record kept in the data directory by deploy-anchor. */
const ANCHOR_FILE = 'ledger-anchor.json';

function parseSize(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

async function openLedger(config: Config) {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrate(store, ledgerMigrations);
    const { key } = loadOrCreatePlatformKey(config.dataDir);
    const log = await TransparencyLog.open({ store, key });
    return { store, log, key, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new MsecError('NOT_FOUND', `cannot read the ${what} file ${path}`);
  }
  try {
    return what === 'checkpoint' && !text.trimStart().startsWith('{') ? text : (JSON.parse(text) as unknown);
  } catch {
    throw new MsecError('MALFORMED_JSON', `the ${what} file ${path} is not JSON`);
  }
}

/** The EVM account key: --key-file, or one kept (0600) in the data directory, created on first use. */
function evmKey(dataDir: string, keyFile?: string): string {
  const path = keyFile ?? join(dataDir, 'keys', 'evm-anchor.key');
  const existing = readTextIfExists(path)?.trim();
  if (existing) return existing;
  if (keyFile) throw new MsecError('NOT_FOUND', `cannot read the key file ${keyFile}`);
  const created = Wallet.createRandom().privateKey;
  writePrivateFile(path, `${created}\n`);
  return created;
}

function publicKeyFrom(file: string | undefined, dataDir: string): KeyObject {
  const path = file ?? join(dataDir, 'keys', 'platform-signing.pem');
  const pem = readTextIfExists(path);
  if (!pem) throw new MsecError('NOT_FOUND', `no public key: pass --public-key (tried ${path})`);
  try {
    return createPublicKey(pem);
  } catch {
    throw new MsecError('VALIDATION_FAILED', `${path} is not a PEM public or private key`);
  }
}

function deploymentOf(dataDir: string, contract?: string): string {
  if (contract) return contract;
  const record = readTextIfExists(join(dataDir, ANCHOR_FILE));
  const address = record ? (JSON.parse(record) as { contract?: unknown }).contract : undefined;
  if (typeof address !== 'string')
    throw new MsecError('NOT_FOUND', 'no Anchor contract: run deploy-anchor or pass --contract');
  return address;
}

export function registerLedgerCommands(program: Command, io: CliIo): void {
  const ledger = program.command('ledger').description('the transparency log: signed tree heads, proofs, EVM anchors');

  withDataOptions(ledger.command('checkpoint').description('print the latest signed tree head (C2SP checkpoint note)'))
    .option('--json', 'print the JSON form')
    .action(async (o: DataOptionValues & { json?: boolean }) => {
      const l = await openLedger(await configFromOptions(o));
      try {
        const head = await l.log.latestCheckpoint();
        io.out(o.json ? JSON.stringify(checkpointFile(head), null, 2) : head.note.trimEnd());
      } finally {
        await l.close();
      }
    });

  withDataOptions(
    ledger
      .command('proof')
      .description('write entry.json, proof.json, checkpoint.json and public-key.pem for one entry'),
  )
    .argument('<index>', 'entry index', parseSize)
    .option('--out <dir>', 'output directory', '.')
    .action(async (index: number, o: DataOptionValues & { out: string }) => {
      const l = await openLedger(await configFromOptions(o));
      try {
        const entry = await l.log.getEntry(index);
        // Prefer the first anchored head that contains the entry, so --evm can check it too.
        const anchor = await latestAnchor(l.store, index);
        const head = anchor ? await l.log.checkpointAt(anchor.size) : await l.log.latestCheckpoint();
        const proof = await l.log.inclusionProof(index, head.size);
        const out = resolve(o.out);
        mkdirSync(out, { recursive: true });
        const ref = anchor && {
          chainId: anchor.chainId,
          contract: anchor.contract,
          txHash: anchor.txHash,
          blockNumber: anchor.blockNumber,
        };
        writeFileSync(join(out, 'entry.json'), `${JSON.stringify(entry, null, 2)}\n`);
        writeFileSync(join(out, 'proof.json'), `${JSON.stringify(proofToJson(proof), null, 2)}\n`);
        writeFileSync(join(out, 'checkpoint.json'), `${JSON.stringify(checkpointFile(head, ref), null, 2)}\n`);
        writeFileSync(join(out, 'public-key.pem'), l.key.publicKey.export({ format: 'pem', type: 'spki' }) as string);
        io.out(`wrote the proof of entry ${index} at tree size ${head.size}${anchor ? ' (anchored)' : ''} to ${out}`);
      } finally {
        await l.close();
      }
    });

  withDataOptions(
    ledger
      .command('verify')
      .description('check an entry, its inclusion proof and the signed checkpoint (and its anchor with --evm)')
      .requiredOption('--entry <file>', 'entry.json')
      .requiredOption('--proof <file>', 'proof.json')
      .requiredOption('--checkpoint <file>', 'checkpoint.json or a checkpoint note')
      .option('--public-key <file>', 'PEM key of the log (default: the data directory platform key)')
      .option('--evm <url>', 'also check the root anchored on this EVM JSON-RPC endpoint')
      .option('--contract <address>', 'Anchor contract (default: the one named in the checkpoint file)'),
  ).action(
    async (
      o: DataOptionValues & {
        entry: string;
        proof: string;
        checkpoint: string;
        publicKey?: string;
        evm?: string;
        contract?: string;
      },
    ) => {
      try {
        const files = {
          entry: readJson(o.entry, 'entry'),
          proof: readJson(o.proof, 'proof'),
          checkpoint: readJson(o.checkpoint, 'checkpoint'),
        };
        const dataDir = o.publicKey ? '.' : (await configFromOptions(o)).dataDir;
        const { entry, checkpoint } = verifyProofBundle(files, publicKeyFrom(o.publicKey, dataDir));
        let anchored = '';
        if (o.evm) {
          const contract = o.contract ?? parseAnchorRef(files.checkpoint)?.contract;
          if (!contract)
            throw new MsecError('ANCHOR_NOT_FOUND', 'the checkpoint names no Anchor contract: pass --contract');
          const client = await EvmAnchorClient.connect({
            rpcUrl: o.evm,
            privateKey: Wallet.createRandom().privateKey,
            retries: 2,
            baseDelayMs: 200,
          });
          try {
            await client.verifyAnchored(contract, checkpoint);
          } finally {
            client.close();
          }
          anchored = `, anchored on chain ${client.chainId}`;
        }
        io.out(
          `OK: entry ${entry.index} (${entry.kind}) is in ${checkpoint.origin} at tree size ${checkpoint.size}${anchored}`,
        );
      } catch (err) {
        // One line, always exit 1: whatever failed, the claim does not hold.
        throw new MsecError('LEDGER_VERIFY_FAILED', `verification failed: ${errorMessage(err)}`);
      }
    },
  );

  withDataOptions(ledger.command('consistency').description('print a consistency proof between two tree sizes (JSON)'))
    .argument('<old>', 'old tree size', parseSize)
    .argument('<new>', 'new tree size', parseSize)
    .action(async (oldSize: number, newSize: number, o: DataOptionValues) => {
      const l = await openLedger(await configFromOptions(o));
      try {
        const hashes = await l.log.consistencyProof(oldSize, newSize);
        const [oldHead, newHead] = [await l.log.checkpointAt(oldSize), await l.log.checkpointAt(newSize)];
        io.out(
          JSON.stringify(
            {
              oldSize,
              newSize,
              oldRoot: oldHead.root.toString('base64'),
              newRoot: newHead.root.toString('base64'),
              hashes: hashes.map((h) => h.toString('base64')),
            },
            null,
            2,
          ),
        );
      } finally {
        await l.close();
      }
    });

  withDataOptions(
    ledger
      .command('deploy-anchor')
      .description(`deploy the Anchor contract and record it in the data directory (${ANCHOR_FILE})`)
      .requiredOption('--evm <url>', 'EVM JSON-RPC endpoint (GoQuorum, Besu, …)')
      .option('--key-file <file>', 'hex private key of the deploying account (default: keys/evm-anchor.key, created)'),
  ).action(async (o: DataOptionValues & { evm: string; keyFile?: string }) => {
    const { dataDir } = await configFromOptions(o);
    const client = await EvmAnchorClient.connect({ rpcUrl: o.evm, privateKey: evmKey(dataDir, o.keyFile) });
    try {
      const d = await client.deploy();
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, ANCHOR_FILE), `${JSON.stringify({ ...d, owner: client.address }, null, 2)}\n`);
      io.out(
        `deployed Anchor at ${d.contract} on chain ${d.chainId} (tx ${d.txHash}, block ${d.blockNumber}, owner ${client.address})`,
      );
    } finally {
      client.close();
    }
  });

  withDataOptions(
    ledger
      .command('anchor')
      .description('anchor the latest tree head now')
      .requiredOption('--evm <url>', 'EVM JSON-RPC endpoint')
      .option('--key-file <file>', 'hex private key of the contract owner (default: keys/evm-anchor.key)')
      .option('--contract <address>', `Anchor contract (default: from ${ANCHOR_FILE})`),
  ).action(async (o: DataOptionValues & { evm: string; keyFile?: string; contract?: string }) => {
    const config = await configFromOptions(o);
    if (!o.keyFile && !existsSync(join(config.dataDir, 'keys', 'evm-anchor.key')))
      throw new MsecError('NOT_FOUND', 'no EVM key: pass --key-file');
    const contract = deploymentOf(config.dataDir, o.contract);
    const l = await openLedger(config);
    const client = await EvmAnchorClient.connect({ rpcUrl: o.evm, privateKey: evmKey(config.dataDir, o.keyFile) });
    try {
      const r = await new Anchorer({ log: l.log, client, contract, store: l.store }).anchorLatest();
      io.out(r ? `anchored tree size ${r.size} in tx ${r.txHash} (block ${r.blockNumber})` : 'nothing new to anchor');
    } finally {
      client.close();
      await l.close();
    }
  });
}
