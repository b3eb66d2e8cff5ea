import { join } from 'node:path';
import {
  ACCEPTED_READINGS,
  readTextIfExists,
  serviceKey,
  type ModuleContext,
  type PlatformModule,
  type PolicyStatement,
} from '../core/index.ts';
import { Anchorer } from './anchor/anchorer.ts';
import { EvmAnchorClient } from './anchor/client.ts';
import { TransparencyLog } from './log.ts';
import { OutboxConsumer } from './readings/consumer.ts';
import { ReadingBatcher } from './readings/batcher.ts';
import { ledgerModuleMigrations } from './readings/schema.ts';
import { ledgerRoutes } from './routes.ts';
import { ledgerMigrations } from './schema.ts';

/** The transparency log, for modules that log what they write (the vault, iam's audit heads). */
export const LEDGER_LOG = serviceKey<TransparencyLog>('ledger.log');
/** Written by `msec ledger deploy-anchor`. */
const ANCHOR_FILE = 'ledger-anchor.json';

export interface LedgerModuleOptions {
  /** At most this many readings per batch (default 1000)... */
  batchMaxReadings?: number;
  /** ...sealed this often (default 5 s). */
  batchIntervalMs?: number;
  /** How often the latest tree head is anchored when a chain is configured (default 60 s). */
  anchorIntervalMs?: number;
}

const LEDGER_POLICY: PolicyStatement[] = [
  {
    id: 'ledger-read',
    effect: 'allow',
    roles: ['admin', 'operator', 'analyst'],
    actions: ['ledger:*:read'],
    scope: 'any',
    description:
      'operators, analysts and administrators of any organisation read entries, proofs and anchors of the one shared log',
  },
];

function anchorSetup(ctx: ModuleContext): { contract: string; privateKey: string } | undefined {
  if (!ctx.config.evmRpcUrl) return undefined;
  const record = readTextIfExists(join(ctx.config.dataDir, ANCHOR_FILE));
  const privateKey = readTextIfExists(join(ctx.config.dataDir, 'keys', 'evm-anchor.key'))?.trim();
  let contract: unknown;
  try {
    contract = record ? (JSON.parse(record) as { contract?: unknown }).contract : undefined;
  } catch {
    contract = undefined;
  }
  if (typeof contract !== 'string' || !privateKey) {
    ctx.logger.warn(
      { file: ANCHOR_FILE },
      'MSEC_EVM_RPC_URL is set but no Anchor contract and key are recorded: run `msec ledger deploy-anchor`; not anchoring',
    );
    return undefined;
  }
  return { contract, privateKey };
}

/**
 * The transparency log as a platform module: opens the log, logs batches of the hub's accepted
 * readings (read from the hub's outbox by durable cursor, when a hub runs here), anchors tree
 * heads on an EVM chain when one is configured, and serves checkpoints and proofs.
 */
export function ledgerModule(
  options: LedgerModuleOptions = {},
): PlatformModule & { batcher(): ReadingBatcher; consumer(): OutboxConsumer | undefined } {
  let batcher: ReadingBatcher | undefined;
  let consumer: OutboxConsumer | undefined;
  let anchorer: Anchorer | undefined;
  let client: EvmAnchorClient | undefined;
  let connecting: Promise<void> | undefined;
  let log: TransparencyLog | undefined;
  let stopped = false;

  const startAnchoring = (ctx: ModuleContext, l: TransparencyLog, setup: { contract: string; privateKey: string }) =>
    EvmAnchorClient.connect({ rpcUrl: ctx.config.evmRpcUrl as string, privateKey: setup.privateKey })
      .then((c) => {
        if (stopped) return c.close();
        client = c;
        anchorer = new Anchorer({
          log: l,
          client: c,
          contract: setup.contract,
          store: ctx.store,
          clock: ctx.clock,
          logger: ctx.logger,
          intervalMs: options.anchorIntervalMs ?? 60_000,
        });
        anchorer.start();
        ctx.logger.info({ contract: setup.contract, chainId: c.chainId }, 'anchoring tree heads on the EVM chain');
      })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'cannot reach the EVM chain; tree heads are not anchored'));

  return {
    name: 'ledger',
    provides: [LEDGER_LOG],
    uses: [ACCEPTED_READINGS],
    migrations: [...ledgerMigrations, ...ledgerModuleMigrations],
    policy: LEDGER_POLICY,
    batcher: () => {
      if (!batcher) throw new Error('the ledger module has not started');
      return batcher;
    },
    consumer: () => consumer,
    async start(ctx) {
      const l = await TransparencyLog.open({ store: ctx.store, key: ctx.platformKey, clock: ctx.clock });
      log = l;
      ctx.services.provide(LEDGER_LOG, l);
      batcher = new ReadingBatcher({ log: l, store: ctx.store, clock: ctx.clock });
      const outbox = ctx.services.find(ACCEPTED_READINGS);
      if (outbox) {
        consumer = new OutboxConsumer({
          outbox,
          batcher,
          store: ctx.store,
          logger: ctx.logger,
          maxReadings: options.batchMaxReadings ?? 1000,
          intervalMs: options.batchIntervalMs ?? 5000,
        });
        // Whatever an earlier run stored but had not batched is batched now, before new work.
        await consumer.round();
        consumer.start();
      }
      const setup = anchorSetup(ctx);
      if (setup) connecting = startAnchoring(ctx, l, setup);
    },
    async routes(app, ctx) {
      if (!log || !batcher) throw new Error('the ledger module has not started');
      const publicKeyPem = ctx.platformKey.publicKey.export({ format: 'pem', type: 'spki' }) as string;
      await ledgerRoutes(app, { log, store: ctx.store, batcher, publicKeyPem });
    },
    async stop() {
      stopped = true;
      await consumer?.stop();
      await connecting;
      // What was just flushed is anchored by the next start's first period.
      await anchorer?.stop();
      client?.close();
      await log?.drain();
    },
  };
}
