import type { Kysely } from 'kysely';
import { MsecError } from '../core/index.ts';
import type { NodeId } from './merkle/ranges.ts';
import type { LedgerTables } from './schema.ts';

const CHUNK = 200;

/** Reads stored complete-subtree hashes; every requested node must exist. */
export async function readNodes(db: Kysely<LedgerTables>, nodes: readonly NodeId[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < nodes.length; i += CHUNK) {
    const chunk = nodes.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('ledger_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) => eb.or(chunk.map((n) => eb.and([eb('level', '=', n.level), eb('idx', '=', n.index)]))))
      .execute();
    for (const r of rows) out.set(nodeKey({ level: Number(r.level), index: Number(r.idx) }), Buffer.from(r.hash));
  }
  for (const n of nodes) {
    if (!out.has(nodeKey(n))) throw new MsecError('STORAGE_ERROR', `ledger node ${n.level}/${n.index} is missing`);
  }
  return out;
}

export function nodeKey(n: NodeId): string {
  return `${n.level}:${n.index}`;
}
