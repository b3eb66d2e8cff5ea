import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

/** The policies page in headless chromium: list, add, dry run with the deciding statement, remove, history. */
describe('console policies page in a real browser', () => {
  let t: TestPlatform;
  let browser: Browser | undefined;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ listen: true });
    const admin = await t.adminToken();
    const org = await t.request('POST', '/api/v1/orgs', {
      token: admin,
      body: { id: 'santander', name: 'Santander', kind: 'city' },
    });
    expect(org.statusCode).toBe(201);
    const analyst = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: {
        org: 'santander',
        kind: 'user',
        name: 'sant-analyst',
        roles: ['analyst'],
        password: 'sant-analyst-pw-123',
      },
    });
    expect(analyst.statusCode).toBe(201);
    browser = await launchBrowser();
    page = await openConsole(browser, t.platform.url, 'admin', t.adminPassword, violations);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Policies' }).click();
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor(WAIT);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const explain = async (as: string, action: string, type: string) => {
    const form = page.getByRole('form', { name: 'Dry run' });
    await form.getByLabel('As user').fill(as);
    await form.getByLabel('Action').fill(action);
    await form.getByLabel('Resource type').fill(type);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/policies/test'), WAIT),
      form.getByRole('button', { name: 'Explain' }).click(),
    ]);
    await page.getByTestId('dry-run-result').waitFor(WAIT);
    return {
      decision: await page.getByTestId('dry-run-decision').textContent(),
      statement: (await page.getByTestId('dry-run-statement').count())
        ? await page.getByTestId('dry-run-statement').textContent()
        : null,
    };
  };

  it('adds a deny policy, shows in the dry run which statement denies, removes it and shows the history', async () => {
    await page.getByText('No central policy').waitFor(WAIT);
    // Before: a module statement lets analysts read their organisation's audit log.
    const before = await explain('sant-analyst', 'iam:audit:read', 'audit');
    expect(before.decision).toBe('Allowed');
    expect(before.statement).toBeTruthy();
    const allowedBy = before.statement!;

    const add = page.getByRole('form', { name: 'Add a policy' });
    await add.getByLabel('Policy id').fill('no-audit-for-analysts');
    await add.getByLabel('Effect').selectOption('deny');
    await add.getByLabel(/^Roles/).fill('analyst');
    await add.getByLabel(/^Actions/).fill('iam:audit:read');
    await add.getByLabel('Description').fill('analysts work from alerts, not the audit log');
    await add.getByRole('button', { name: 'Add policy' }).click();
    await page.getByTestId('policy-no-audit-for-analysts').waitFor(WAIT);
    const row = await page.getByTestId('policy-no-audit-for-analysts').textContent();
    expect(row).toContain('deny');
    expect(row).toContain('analyst');
    // The server holds what the form sent.
    const stored = (await t.request('GET', '/api/v1/policies', { token: await t.adminToken() })).json();
    expect(stored.items).toMatchObject([
      { id: 'no-audit-for-analysts', effect: 'deny', roles: ['analyst'], actions: ['iam:audit:read'], version: 1 },
    ]);

    const after = await explain('sant-analyst', 'iam:audit:read', 'audit');
    expect(after).toEqual({ decision: 'Denied', statement: 'central:no-audit-for-analysts' });
    const matched = page.getByRole('table', { name: 'Matching statements' });
    await expect.poll(async () => matched.textContent(), WAIT).toContain('central');
    expect(await matched.textContent()).toContain(allowedBy);
    await page.screenshot({ path: join(SHOTS, 'policies-dry-run.png'), fullPage: true });

    // A wrong document is refused with the server's reason.
    await add.getByLabel('Policy id').fill('Bad Id');
    await add.getByLabel(/^Actions/).fill('iam:audit:read');
    await add.getByRole('button', { name: 'Add policy' }).click();
    await expect.poll(async () => add.getByRole('alert').textContent(), WAIT).toMatch(/\S/);

    await page.getByRole('button', { name: 'Remove no-audit-for-analysts' }).click();
    await page.getByTestId('policy-no-audit-for-analysts').waitFor({ state: 'detached', ...WAIT });
    expect((await explain('sant-analyst', 'iam:audit:read', 'audit')).decision).toBe('Allowed');

    const history = page.getByRole('table', { name: 'Policy history' });
    await expect
      .poll(async () => (await history.locator('tbody tr').allTextContents()).join('\n'), WAIT)
      .toMatch(/no-audit-for-analystsremoved2admin[\s\S]*no-audit-for-analystscreated1admin/);
    await page.screenshot({ path: join(SHOTS, 'policies-history.png'), fullPage: true });
    expect(violations).toEqual([]);
  }, 180_000);
});
