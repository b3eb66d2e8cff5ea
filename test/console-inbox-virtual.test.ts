import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAlerts } from '../bench/helpers/console-seed.ts';
import { MONITOR, monitorModule } from '../src/monitor/index.ts';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const N = 3000;
const LIST = '[data-testid=inbox-list]';

/**
 * The inbox's windowed list over many alerts: as tall as every match from the start, a constant
 * number of row elements wherever it is scrolled, placeholders that fill in, and pages fetched one
 * after another only as far as the view needs.
 */
describe('inbox virtual list over thousands of alerts', () => {
  let t: TestPlatform;
  let browser: Browser | undefined;
  let page: Page;
  const pages: string[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ listen: true, modules: [monitorModule({})] });
    await seedAlerts(t.platform.ctx.services.get(MONITOR), 'platform', N, Date.now());
    browser = await launchBrowser();
    page = await openConsole(browser, t.platform.url, 'admin', t.adminPassword, violations);
    page.on('request', (r) => {
      if (/\/api\/v1\/monitor\/alerts\?/.test(r.url())) pages.push(r.url());
    });
    await page.getByTestId('who').waitFor(WAIT);
    await page.goto(`${t.platform.url}/#/inbox`);
    await page.getByTestId('alert-row').first().waitFor(WAIT);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const rowsInDom = () => page.locator(`${LIST} [role=row]`).count();
  const scrollTo = (y: number | 'bottom') =>
    page.evaluate(
      `(() => { const el = document.querySelector(${JSON.stringify(LIST)}); el.scrollTop = ${y === 'bottom' ? 'el.scrollHeight' : y}; })()`,
    );
  const loaded = async () => {
    const text = (await page.getByTestId('inbox-total').textContent()) ?? '';
    return Number(/([\d,.\u202f\u00a0]+) loaded/.exec(text)?.[1]?.replace(/\D/g, '') ?? NaN);
  };

  it('is as tall as every match at once, fills rows in as their pages arrive and keeps the same number of row elements', async () => {
    await expect.poll(() => page.getByTestId('inbox-total').textContent(), WAIT).toContain('3,000 alerts match');
    const first = await loaded();
    expect(first).toBeLessThan(N);
    const scrollHeight = await page.evaluate<number>(`document.querySelector(${JSON.stringify(LIST)}).scrollHeight`);
    expect(scrollHeight).toBe(N * 38);
    const atTop = await rowsInDom();
    expect(atTop).toBeGreaterThan(10);

    // Jump to the middle: the rows there are not loaded yet; the same number of rows, then real ones.
    await scrollTo(1500 * 38);
    await expect.poll(() => rowsInDom(), WAIT).toBe(atTop);
    await expect
      .poll(async () => page.locator(`${LIST} [data-testid=alert-row][aria-rowindex="1502"]`).count(), WAIT)
      .toBe(1);
    expect(await rowsInDom()).toBe(atTop);
    expect(await loaded()).toBeLessThan(N);
    const middle = await loaded();

    await scrollTo('bottom');
    await expect.poll(loaded, WAIT).toBe(N);
    await expect
      .poll(async () => page.locator(`${LIST} [data-testid=alert-row][aria-rowindex="${N + 1}"]`).count(), WAIT)
      .toBe(1);
    expect(await rowsInDom()).toBe(atTop);
    expect(await page.locator(`${LIST} [aria-busy=true]`).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'inbox-virtual-bottom.png') });

    // Each page asked for once (first page, then the cursor pages up to the view), none again on the way back.
    const asked = pages.length;
    expect(middle).toBeGreaterThan(first);
    expect(new Set(pages).size).toBe(pages.length);
    expect(asked).toBeLessThanOrEqual(1 + Math.ceil((N - 200) / 500));
    await scrollTo(0);
    await page.getByTestId('alert-row').first().waitFor(WAIT);
    expect(await rowsInDom()).toBe(atTop);
    expect(pages.length).toBe(asked);
    expect(violations).toEqual([]);
  }, 180_000);
});
