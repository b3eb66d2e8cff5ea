/** Device enrollment is rate-limited per address, with a budget the operator can raise. */
import { describe, expect, it } from 'vitest';
import { hubModule } from '../src/hub/index.ts';
import { startTestPlatform } from './helpers/platform.ts';

async function startCodes(
  perMinute: number | undefined,
  calls: number,
): Promise<Array<{ status: number; code: string | undefined }>> {
  const t = await startTestPlatform({
    modules: [hubModule({ broker: false })],
    ...(perMinute ? { config: { auth: { enrollmentRateLimitPerMinute: perMinute } } } : {}),
  });
  try {
    const out: Array<{ status: number; code: string | undefined }> = [];
    for (let i = 0; i < calls; i++) {
      const r = await t.request('POST', '/api/v1/devices/enroll/start', { body: { token: `not-a-token-${i}` } });
      out.push({ status: r.statusCode, code: (r.json() as { error?: { code: string } }).error?.code });
    }
    return out;
  } finally {
    await t.close();
  }
}

describe('device enrollment rate limit', () => {
  it('answers 429 RATE_LIMITED past auth.enrollmentRateLimitPerMinute, and refuses bad tokens before that', async () => {
    const codes = await startCodes(2, 4);
    expect(codes.slice(0, 2).every((c) => c.status === 401 || c.status === 400)).toBe(true);
    expect(codes.slice(2)).toEqual([
      { status: 429, code: 'RATE_LIMITED' },
      { status: 429, code: 'RATE_LIMITED' },
    ]);
  });

  it('a raised budget lets a fleet behind one address through (default 60 per minute)', async () => {
    const codes = await startCodes(200, 70);
    expect(codes.filter((c) => c.status === 429)).toEqual([]);
    const byDefault = await startCodes(undefined, 61);
    expect(byDefault.at(-1)).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(byDefault.slice(0, 60).filter((c) => c.status === 429)).toEqual([]);
  });
});
