import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../core/index.ts';
import { AnonymousRefusals } from './audit-aggregate.ts';
import type { AuditRecord } from './audit.ts';

const refusal = (ip: string, action = 'POST /api/v1/auth/login'): AuditRecord => ({
  action,
  outcome: 'denied',
  status: 401,
  ip,
});
const countOf = (r: AuditRecord) => (r.detail?.count as number | undefined) ?? 1;

describe('AnonymousRefusals', () => {
  it('writes exactly one row per (source, reason) and interval, whatever the actions; the counts add up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'),
            fc.constantFrom('TOKEN_INVALID', 'UNAUTHENTICATED'),
            fc.constantFrom('POST /a', 'GET /b', 'DELETE /c'),
          ),
          { maxLength: 200 },
        ),
        async (events) => {
          const rows: AuditRecord[] = [];
          const clock = new ManualClock(Date.UTC(2026, 0, 1));
          const agg = new AnonymousRefusals(async (r) => void rows.push(r), clock, 60_000);
          for (const [ip, reason, action] of events) await agg.refuse(refusal(ip, action), reason);
          // Nothing is written while the interval runs: no early row beside the counted one.
          expect(rows).toEqual([]);
          await agg.stop();
          const keys = new Set(events.map(([ip, reason]) => `${ip}/${reason}`));
          expect(rows.length).toBe(keys.size);
          expect(new Set(rows.map((r) => `${r.ip}/${r.detail?.reason as string}`))).toEqual(keys);
          for (const r of rows) {
            const mine = events.filter(([ip, reason]) => `${ip}/${reason}` === `${r.ip}/${r.detail?.reason as string}`);
            expect(countOf(r)).toBe(mine.length);
            expect(new Set(r.detail?.actions as string[])).toEqual(new Set(mine.map(([, , a]) => a)));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('one row per interval: a refusal after the interval ends opens the next window, the timer writes due windows', async () => {
    const rows: AuditRecord[] = [];
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const agg = new AnonymousRefusals(async (r) => void rows.push(r), clock, 60_000);
    for (let i = 0; i < 5; i++) await agg.refuse(refusal('10.0.0.9'), 'TOKEN_INVALID');
    clock.advance(30_000);
    await agg.flushDue();
    expect(rows).toEqual([]);
    clock.advance(30_000);
    await agg.refuse(refusal('10.0.0.9'), 'TOKEN_INVALID');
    expect(rows.map(countOf)).toEqual([5]);
    for (let i = 0; i < 2; i++) await agg.refuse(refusal('10.0.0.9'), 'TOKEN_INVALID');
    clock.advance(60_000);
    await agg.flushDue();
    expect(rows.map(countOf)).toEqual([5, 3]);
    await agg.stop();
    expect(rows.length).toBe(2);
    expect(rows[0]!.detail).toMatchObject({
      aggregated: true,
      since: '2026-01-01T00:00:00.000Z',
      reason: 'TOKEN_INVALID',
    });
  });
});
