import { join } from 'node:path';
import { readTextIfExists, type BusEvent } from '../../core/index.ts';
import type { ModuleContext, PlatformModule, PolicyStatement } from '../../iam/index.ts';
import { Anchorer, EvmAnchorClient, ledgerMigrations, TransparencyLog } from '../../ledger/index.ts';
import { AuditHeads } from './ledger-audit-heads.ts';
import { ReadingBatcher } from './ledger-batcher.ts';
import { unloggedReadings } from './ledger-recovery.ts';
import { ledgerRoutes } from './ledger-routes.ts';
import { ledgerModuleMigrations } from './ledger-schema.ts';

export { READINGS_BATCH_KIND, verifyReadingInBatch, readingHash, type ReadingProof } from './ledger-batcher.ts';
export { AUDIT_HEAD_KIND, auditEntryHash, chainAuditHead } from './ledger-audit-heads.ts';

/** Service name under which the transparency log is shared with other modules. */
export const LEDGER_SERVICE = 'ledger.log';
/** Written by `msec ledger deploy-anchor`. */
const ANCHOR_FILE = 'ledger-anchor.json';

export interface LedgerModuleOptions {
  /** Seal a readings batch after this many readings (default 1000)... */
  batchMaxReadings?: number;
  /** ...or this often (default 5 s). */
  batchIntervalMs?: number;
  /** How often the audit trail's head is logged (default 60 s). */
  auditHeadIntervalMs?: number;
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
    description: 'operators, analysts and administrators of any organisation read entries, proofs and anchors of the one shared log',
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
    ctx.logger.warn({ file: ANCHOR_FILE }, 'MSEC_EVM_RPC_URL is set but no Anchor contract and key are recorded: run `msec ledger deploy-anchor`; not anchoring');
    return undefined;
  }
  return { contract, privateKey };
}

/**
 * The transparency log as a platform module: opens the log, logs batches of hub readings and
 * heads of the audit trail, anchors tree heads on an EVM chain when one is configured, and
 * serves checkpoints and proofs. Start it before the modules that use the 'ledger.log' service.
 */
/** Queue group of the ledger modules of all processes. */
export const LEDGER_QUEUE = 'msec-ledger';

export function ledgerModule(options: LedgerModuleOptions = {}): PlatformModule & { batcher(): ReadingBatcher; auditHeads(): AuditHeads } {
  let batcher: ReadingBatcher | undefined;
  let auditHeads: AuditHeads | undefined;
  let anchorer: Anchorer | undefined;
  let client: EvmAnchorClient | undefined;
  let connecting: Promise<void> | undefined;
  let log: TransparencyLog | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  const startAnchoring = (ctx: ModuleContext, l: TransparencyLog, setup: { contract: string; privateKey: string }) =>
    EvmAnchorClient.connect({ rpcUrl: ctx.config.evmRpcUrl as string, privateKey: setup.privateKey })
      .then((c) => {
        if (stopped) return c.close();
        client = c;
        anchorer = new Anchorer({ log: l, client: c, contract: setup.contract, store: ctx.store, clock: ctx.clock, logger: ctx.logger, intervalMs: options.anchorIntervalMs ?? 60_000 });
        anchorer.start();
        ctx.logger.info({ contract: setup.contract, chainId: c.chainId }, 'anchoring tree heads on the EVM chain');
      })
      .catch((err: unknown) => ctx.logger.warn({ err }, 'cannot reach the EVM chain; tree heads are not anchored'));

  return {
    name: 'ledger',
    migrations: [...ledgerMigrations, ...ledgerModuleMigrations],
    policy: LEDGER_POLICY,
    batcher: () => {
      if (!batcher) throw new Error('the ledger module has not started');
      return batcher;
    },
    auditHeads: () => {
      if (!auditHeads) throw new Error('the ledger module has not started');
      return auditHeads;
    },
    async start(ctx) {
      const startedAt = ctx.clock.now();
      const l = await TransparencyLog.open({ store: ctx.store, key: ctx.platformKey, clock: ctx.clock });
      log = l;
      ctx.services.set(LEDGER_SERVICE, l);
      batcher = new ReadingBatcher({
        log: l, store: ctx.store, clock: ctx.clock, logger: ctx.logger,
        maxReadings: options.batchMaxReadings ?? 1000,
        intervalMs: options.batchIntervalMs ?? 5000,
      });
      const b = batcher;
      // A queue group: with several processes on one NATS, each reading is batched by one of them.
      unsubscribe = ctx.bus.subscribe('hub.reading.accepted', (ev: BusEvent) => {
        const cose = (ev.data as { cose?: unknown } | null)?.cose;
        // Both bus adapters deliver bytes as bytes (NATS carries them tagged).
        if (cose instanceof Uint8Array) b.add(cose);
        else ctx.logger.warn({ subject: ev.subject }, 'accepted reading without COSE bytes; not logged');
      }, { queue: LEDGER_QUEUE });
      // Readings a crash left out of the ledger: accepted (in the hub's history) but in no logged batch.
      const recovered = await unloggedReadings(ctx.store, startedAt);
      for (const cose of recovered) b.add(cose);
      if (recovered.length > 0) {
        ctx.logger.warn({ readings: recovered.length }, 'ledger: logging readings an earlier run accepted but had not batched');
        await b.flush();
      }
      batcher.start();
      auditHeads = new AuditHeads({ log: l, store: ctx.store, logger: ctx.logger, intervalMs: options.auditHeadIntervalMs ?? 60_000, now: () => ctx.clock.now() });
      auditHeads.start();
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
      unsubscribe?.();
      await batcher?.stop();
      await auditHeads?.stop();
      await connecting;
      // What was just flushed is anchored by the next start's first period.
      await anchorer?.stop();
      client?.close();
      await log?.drain();
    },
  };
}
