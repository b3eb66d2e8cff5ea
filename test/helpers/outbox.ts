import { ACCEPTED_READINGS, type PlatformModule, type StoredReadingRef } from '../../src/core/index.ts';

/**
 * A stand-in for the hub's outbox of accepted readings, for suites of the ledger alone: it holds
 * the COSE bytes a test adds, with sequence numbers, and answers the ledger's cursor reads.
 */
export function memoryOutboxModule(): PlatformModule & { add(cose: Uint8Array): number } {
  const items: StoredReadingRef[] = [];
  return {
    name: 'test-outbox',
    provides: [ACCEPTED_READINGS],
    async start(ctx) {
      ctx.services.provide(ACCEPTED_READINGS, {
        settleMs: 0,
        readAfter: async (afterSeq, limit) => items.filter((i) => i.seq > afterSeq).slice(0, limit),
      });
    },
    add(cose) {
      items.push({ seq: items.length + 1, cose });
      return items.length;
    },
  };
}
