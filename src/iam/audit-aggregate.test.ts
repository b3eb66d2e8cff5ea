import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../core/index.ts';
import { AnonymousRefusals } from './audit-aggregate.ts';
import type { AuditRecord } from './audit.ts';

const refusal = (ip: string): AuditRecord => ({
  action: 'POST /api/v1/auth/login',
  outcome: 'denied',
  status: 401,
  ip,
});

describe('AnonymousRefusals', () => {
  it('writes the first refusal per (source, action, reason) at once and the rest as one counted row per interval; nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
            fc.constantFrom('TOKEN_INVALID', 'UNAUTHENTICATED'),
          ),
          { maxLength: 200 },
        ),
        async (events) => {
          const rows: AuditRecord[] = [];
          const clock = new ManualClock(Date.UTC(2026, 0, 1));
          const agg = new AnonymousRefusals(async (r) => void rows.push(r), clock, 60_000);
          for (const [ip, reason] of events) await agg.refuse(refusal(ip), reason);
          await agg.stop();
          const keys = new Set(events.map(([ip, reason]) => `${ip}/${reason}`));
          // At most two rows per key, and the counts add up to every refusal.
          expect(rows.length).toBeLessThanOrEqual(2 * keys.size);
          const total = rows.reduce((n, r) => n + ((r.detail?.count as number | undefined) ?? 1), 0);
          expect(total).toBe(events.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('starts a new interval after intervalMs', async () => {
    const rows: AuditRecord[] = [];
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const agg = new AnonymousRefusals(async (r) => void rows.push(r), clock, 60_000);
    for (let i = 0; i < 5; i++) await agg.refuse(refusal('10.0.0.9'), 'TOKEN_INVALID');
    clock.advance(60_000);
    await agg.flush();
    await agg.refuse(refusal('10.0.0.9'), 'TOKEN_INVALID');
    await agg.stop();
    expect(rows.map((r) => (r.detail?.count as number | undefined) ?? 1)).toEqual([1, 4, 1]);
  });
});
