import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_LOG, ledgerModule } from '../src/ledger/index.ts';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

/** Trusted storage in a real browser: the latest signed head, a proof verified and a tampered one refused. */
describe('console trusted storage in chromium', () => {
  let t: TestPlatform;
  let browser: Browser | undefined;
  const violations: string[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [ledgerModule()], listen: true });
    const log = t.platform.ctx.services.get(LEDGER_LOG);
    for (let i = 0; i < 5; i++) await log.append({ kind: 'test.entry', dataHash: String(i).repeat(64) });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the signed tree head, verifies a pasted proof and refuses a tampered entry', async () => {
    const bundle = (
      await t.request('GET', '/api/v1/ledger/proofs/inclusion?index=2', { token: await t.adminToken() })
    ).json();
    const page = await openConsole(browser!, t.platform.url, 'admin', t.adminPassword, violations);
    await page.getByRole('link', { name: 'Trusted storage' }).click();
    await expect.poll(() => page.getByTestId('sth-size').textContent(), WAIT).toBe('5');
    await expect.poll(() => page.getByLabel('Log public key (PEM)').inputValue(), WAIT).toContain('BEGIN PUBLIC KEY');

    await page.getByLabel('Entry (entry.json)').fill(JSON.stringify(bundle.entry));
    await page.getByLabel('Inclusion proof (proof.json)').fill(JSON.stringify(bundle.proof));
    await page.getByLabel(/^Checkpoint/).fill(JSON.stringify(bundle.checkpoint));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => page.getByTestId('verdict').textContent(), WAIT)
      .toMatch(/^Verified: entry 2 is in .+ at tree size 5\.$/);
    await page.screenshot({ path: join(SHOTS, 'ledger-verified.png'), fullPage: true });

    await page
      .getByLabel('Entry (entry.json)')
      .fill(JSON.stringify({ ...bundle.entry, timestamp: bundle.entry.timestamp + 1 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => page.getByTestId('verdict').textContent(), WAIT)
      .toContain('Refused: the proof does not lead to the signed root');
    await page.screenshot({ path: join(SHOTS, 'ledger-tampered.png'), fullPage: true });
    await page.context().close();
    expect(violations).toEqual([]);
  }, 180_000);
});
