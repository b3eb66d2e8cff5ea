import { describe, expect, it } from 'vitest';
import { auditEntryHash, chainAuditHead } from './audit-heads.ts';

describe('audit head chaining', () => {
  const row = {
    id: 7,
    at: 1700000000000,
    actor_id: 'p1',
    actor_name: 'alice',
    org_id: 'santander',
    action: 'vault:record:write',
    resource: 'record id=x',
    outcome: 'succeeded',
    status: 201,
    ip: '127.0.0.1',
    request_id: 'r1',
    detail: null,
  };
  it('hashes rows the same whether bigints come back as numbers (SQLite) or strings (PostgreSQL)', () => {
    expect(auditEntryHash({ ...row, id: '7', at: '1700000000000' as unknown as number })).toEqual(auditEntryHash(row));
  });
  it('changes the head when any entry changes, is reordered or dropped', () => {
    const hs = [auditEntryHash(row), auditEntryHash({ ...row, id: 8 }), auditEntryHash({ ...row, id: 9 })];
    const head = chainAuditHead(Buffer.alloc(32), hs);
    expect(chainAuditHead(Buffer.alloc(32), [hs[0]!, hs[2]!, hs[1]!])).not.toEqual(head);
    expect(chainAuditHead(Buffer.alloc(32), hs.slice(0, 2))).not.toEqual(head);
    expect(
      chainAuditHead(Buffer.alloc(32), [auditEntryHash({ ...row, outcome: 'denied' }), hs[1]!, hs[2]!]),
    ).not.toEqual(head);
    expect(chainAuditHead(chainAuditHead(Buffer.alloc(32), hs.slice(0, 1)), hs.slice(1))).toEqual(head);
  });
});
