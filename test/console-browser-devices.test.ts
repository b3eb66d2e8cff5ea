/**
 * The console against `msec up --demo` (both cities' simulated devices, the Fujisawa partner hub
 * and its federation link) in headless Debian chromium: devices on the maps, a device's chart,
 * browsing and GET/SET of resources, federation, the vault and anchor status, API keys created
 * and revoked, audit filters, a forbidden page, an expired session, tablet and light theme.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEVICES } from '../src/hub/devices/demo.ts';
import { generateVaultKeyPair, VaultClient } from '../src/vault/index.ts';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { removeTempDirs, startMsecUp, type MsecProcess } from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';

const CITIZEN = { name: 'devices-citizen', password: 'devices-citizen-password-1' };
let citizenId = '';

describe('console devices, trusted storage and admin pages against msec up --demo, in chromium', () => {
  let demo: MsecProcess;
  let browser: Browser | undefined;
  let adminPassword = '';
  const violations: string[] = [];

  beforeAll(async () => {
    demo = await startMsecUp({ args: ['--demo'] });
    adminPassword = (
      JSON.parse(readFileSync(join(demo.dataDir, 'admin-credential.json'), 'utf8')) as { password: string }
    ).password;
    const admin = await demo.adminToken();
    const made = await demo.api('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'santander', kind: 'user', name: CITIZEN.name, roles: ['consumer'], password: CITIZEN.password },
    });
    expect(made.status).toBe(201);
    citizenId = (made.body as { id: string }).id;
    // Every demo device has published a reading before the browser looks.
    for (const d of DEMO_DEVICES)
      await waitFor(
        async () => {
          const r = await demo.api('GET', `/api/v1/providers/${d.id}`, { token: await demo.adminToken() });
          return r.status === 200 && (r.body as { services: unknown[] }).services.length > 1;
        },
        90_000,
        `readings of ${d.id}`,
      );
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.kill();
    removeTempDirs();
  });

  const asAdmin = async (): Promise<Page> => {
    const page = await openConsole(browser!, demo.base, 'admin', adminPassword, violations);
    await page.getByTestId('who').waitFor(WAIT);
    return page;
  };

  it('shows both cities’ devices on the maps and in the list, with attestation, values and signatures', async () => {
    const page = await asAdmin();
    await page.getByRole('link', { name: 'Devices and data' }).click();
    await page.getByRole('heading', { name: 'Devices and data' }).waitFor(WAIT);
    for (const org of ['santander', 'fujisawa']) {
      const expected = DEMO_DEVICES.filter((d) => d.org === org).length;
      await expect.poll(() => page.getByTestId(`map-${org}`).getAttribute('data-markers'), WAIT).toBe(String(expected));
      expect(await page.getByTestId(`map-${org}`).getByTestId('map-marker').count()).toBe(expected);
    }
    // The admin reads the device registry: every marker carries the device's real attestation status.
    const api = (await demo.api('GET', '/api/v1/devices?limit=500', { token: await demo.adminToken() })).body as {
      items: Array<{ id: string; attestation: { status: string } }>;
    };
    for (const d of DEMO_DEVICES) {
      const status = api.items.find((x) => x.id === d.id)!.attestation.status;
      const marker = page.getByRole('button', { name: new RegExp(`\\(${d.id}\\), ${status}$`) });
      expect(await marker.count()).toBe(1);
      const row = page.locator(`[data-testid=provider-row][data-provider="${d.id}"]`);
      expect(await row.getByTestId('provider-attestation').textContent()).toBe(status);
      await expect.poll(() => row.getByTestId('provider-signature').textContent(), WAIT).toBe('verified');
      // A last value for the device's resource: a number with its unit, or the parking sensor's boolean.
      await expect
        .poll(() => row.getByTestId('provider-values').textContent(), WAIT)
        .toMatch(/^\w+\/\w+ (-?\d+(\.\d+)? \S+|true|false)$/);
    }
    // Santander's three devices sit within a kilometre: spread apart, no marker hides another.
    const boxes = await page
      .getByTestId('map-santander')
      .getByTestId('map-marker')
      .evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return [r.left, r.top, r.right, r.bottom];
        }),
      );
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1))
        expect(a[2]! <= b[0]! || b[2]! <= a[0]! || a[3]! <= b[1]! || b[3]! <= a[1]!).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'devices-map.png'), fullPage: true });
    const toggle = page.getByRole('button', { name: /^Switch to (dark|light) theme$/ });
    if ((await toggle.getAttribute('aria-label')) === 'Switch to dark theme') await toggle.click();
    await expect.poll(() => page.evaluate<string>('document.documentElement.dataset.theme'), WAIT).toBe('dark');
    await page.screenshot({ path: join(SHOTS, 'devices-map-dark.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('opens a device from the map, GETs a resource, sees its downsampled chart, and SETs a name shown as text', async () => {
    const page = await asAdmin();
    await page.goto(`${demo.base}/#/devices`);
    const device = DEMO_DEVICES.find((d) => d.id === 'santander-temperature-1')!;
    await page.getByRole('button', { name: new RegExp(`\\(${device.id}\\)`) }).click();
    const browserPanel = page.getByTestId('resource-browser');
    await browserPanel.getByRole('button', { name: 'temperature', exact: true }).click();
    const panel = page.getByTestId('resource-panel');
    await panel.getByTestId('describe').waitFor(WAIT);
    expect(await panel.getByTestId('describe').textContent()).toContain('Cel');
    await panel.getByRole('button', { name: 'GET' }).click();
    await expect.poll(() => panel.getByTestId('get-value').textContent(), WAIT).toMatch(/^-?\d+(\.\d+)? Cel$/);
    expect(await panel.getByTestId('get-signature').textContent()).toBe('verified');
    // The chart: the hub's buckets over the last 15 minutes, the same as the API answers.
    const chart = panel.getByTestId('history-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), WAIT).toBeGreaterThan(1);
    expect(await chart.locator('canvas').count()).toBe(1);
    const readings = Number(await chart.getAttribute('data-readings'));
    const to = Date.now() + 60_000;
    const raw = await demo.api(
      'GET',
      `/api/v1/providers/${device.id}/services/weather/resources/temperature/history?from=${to - 20 * 60_000}&to=${to}&limit=1000`,
      { token: await demo.adminToken() },
    );
    expect(readings).toBeGreaterThan(1);
    expect(readings).toBeLessThanOrEqual((raw.body as { items: unknown[] }).items.length);
    await page.screenshot({ path: join(SHOTS, 'device-chart.png'), fullPage: true });

    // A wider range asks the hub for wider buckets.
    await panel.getByLabel('Range').selectOption('24h');
    await expect.poll(() => panel.getByTestId('history-summary').textContent(), WAIT).toContain('buckets of 720 s');

    // SET the admin service's friendly name: markup typed by a user stays text.
    await browserPanel.getByRole('button', { name: 'friendlyName', exact: true }).click();
    await panel.getByLabel('New value').fill('Ayuntamiento <img src=x id=injected-name>');
    await panel.getByRole('button', { name: 'SET' }).click();
    await expect
      .poll(() => panel.getByTestId('get-value').textContent(), WAIT)
      .toBe('Ayuntamiento <img src=x id=injected-name>');
    await expect
      .poll(() => page.locator(`[data-testid=provider-row][data-provider="${device.id}"]`).textContent(), WAIT)
      .toContain('Ayuntamiento <img src=x id=injected-name>');
    expect(await page.locator('#injected-name').count()).toBe(0);

    // ACT on the demo's reboot action goes to the device over MQTT.
    await browserPanel.getByRole('button', { name: 'reboot', exact: true }).click();
    await panel.getByRole('button', { name: 'ACT' }).click();
    await expect
      .poll(() => panel.getByTestId('resource-message').textContent(), WAIT)
      .toBe(`ACT sent to device ${device.id}`);
    await page.screenshot({ path: join(SHOTS, 'device-browse-set-act.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('lists the federation agreements with the other city and what each shares', async () => {
    const page = await asAdmin();
    await page.goto(`${demo.base}/#/devices`);
    const rows = page.getByTestId('agreement-row');
    await expect.poll(() => rows.count(), WAIT).toBeGreaterThanOrEqual(2);
    const every = rows.filter({ hasText: 'every reading' }).filter({ hasText: 'santander → fujisawa' });
    expect(await every.count()).toBeGreaterThanOrEqual(1);
    expect(await every.first().textContent()).toContain('*/weather/*');
    const averaged = rows.filter({ hasText: 'one avg per device and resource every 60 s' });
    expect(await averaged.first().textContent()).toContain('device names pseudonymised');
    expect(await every.first().getByRole('link').getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await page.getByTestId('federation').screenshot({ path: join(SHOTS, 'federation.png') });
    await page.context().close();
  }, 180_000);

  it('shows the signed tree head, its anchor status, and the owner’s vault records and requests', async () => {
    const admin = await demo.adminToken();
    const owner = new VaultClient({ baseUrl: demo.base, token: admin });
    const ownerKeys = await generateVaultKeyPair();
    await owner.registerKey(ownerKeys);
    const put = await owner.put(new TextEncoder().encode('{"note":"console test"}'), ownerKeys);
    const citizenToken = (
      await demo.api('POST', '/api/v1/auth/login', { body: { username: CITIZEN.name, password: CITIZEN.password } })
    ).body as { accessToken: string };
    const reader = new VaultClient({ baseUrl: demo.base, token: citizenToken.accessToken });
    await reader.registerKey(await generateVaultKeyPair());
    await reader.requestAccess(put.id, 'auditing <b>the</b> demo');

    const page = await asAdmin();
    await page.getByRole('link', { name: 'Trusted storage' }).click();
    await expect.poll(async () => Number(await page.getByTestId('sth-size').textContent()), WAIT).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('anchor-status').textContent(), WAIT).toMatch(/anchored/i);
    const record = page.getByTestId('vault-record').filter({ hasText: put.id });
    await record.waitFor(WAIT);
    expect(await record.locator('td').nth(4).textContent()).toBe('1');
    const request = page.getByTestId('owner-request').filter({ hasText: put.id });
    expect(await request.textContent()).toContain('auditing <b>the</b> demo');
    await page.screenshot({ path: join(SHOTS, 'ledger-vault.png'), fullPage: true });
    await request.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => request.locator('td').nth(4).textContent(), WAIT).toBe('denied');
    await page.context().close();
  }, 180_000);

  it('creates an API key (secret shown once, and it works) and revokes it (then it does not)', async () => {
    const page = await asAdmin();
    await page.getByRole('link', { name: 'Users and keys' }).click();
    await page.getByTestId('principal-row').filter({ hasText: 'admin' }).first().waitFor(WAIT);
    await page.getByLabel('Name', { exact: true }).first().waitFor(WAIT);
    await page.locator('#key-name').fill('console test key');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const secret = (await page.getByTestId('new-key-secret').textContent({ timeout: WAIT.timeout }))!;
    expect(secret.length).toBeGreaterThan(20);
    expect((await demo.api('GET', '/api/v1/me', { apiKey: secret })).status).toBe(200);
    const row = page.locator('[data-testid=key-row][data-name="console test key"]');
    await row.waitFor(WAIT);
    expect(await row.getByTestId('key-state').textContent()).toBe('active');
    await page.screenshot({ path: join(SHOTS, 'api-key-created.png'), fullPage: true });

    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await row.getByRole('button', { name: 'Revoke API key console test key' }).click();
    await expect.poll(() => row.getByTestId('key-state').textContent(), WAIT).toMatch(/^revoked/);
    expect((await demo.api('GET', '/api/v1/me', { apiKey: secret })).status).toBe(401);
    await page.screenshot({ path: join(SHOTS, 'api-key-revoked.png'), fullPage: true });

    // Organisations, and a principal created with roles through the form.
    expect(await page.getByTestId('org-row').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('santander'), expect.stringContaining('fujisawa')]),
    );
    await page.getByLabel('Organisation', { exact: true }).selectOption('santander');
    await page.locator('#new-name').fill('console-made-operator');
    await page.locator('#new-password').fill('console-made-password-1');
    const roles = page.locator('#new-roles');
    await roles.getByLabel('consumer').uncheck();
    await roles.getByLabel('operator').check();
    await roles.getByLabel('analyst').check();
    await page.getByRole('button', { name: 'Create principal' }).click();
    await expect
      .poll(() => page.getByTestId('principals-message').textContent(), WAIT)
      .toBe('Created user console-made-operator in santander');
    const made = page.getByTestId('principal-row').filter({ hasText: 'console-made-operator' });
    await made.waitFor(WAIT);
    expect(await made.locator('td').nth(2).textContent()).toBe('operator, analyst');
    const listed = (await demo.api('GET', '/api/v1/principals?org=santander', { token: await demo.adminToken() }))
      .body as { items: Array<{ name: string; roles: string[] }> };
    expect(listed.items.find((p) => p.name === 'console-made-operator')?.roles).toEqual(['operator', 'analyst']);
    await page.screenshot({ path: join(SHOTS, 'users-principal-created.png'), fullPage: true });

    // The audit page filters: only denied records once the filter applies (the demo's attacks are denied).
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Outcome').selectOption('denied');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(async () => {
        const outcomes = await page.getByTestId('audit-row').locator('td:nth-child(6)').allTextContents();
        return outcomes.length > 0 && outcomes.every((o) => o === 'denied');
      }, WAIT)
      .toBe(true);
    await page.screenshot({ path: join(SHOTS, 'audit-denied.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('gives a low-privilege user an empty devices page, a forbidden admin page, and login after the session ends', async () => {
    const page = await openConsole(browser!, demo.base, CITIZEN.name, CITIZEN.password, violations);
    await page.getByTestId('who').waitFor(WAIT);
    const links = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents();
    expect(links).not.toContain('Users and keys');
    await page.goto(`${demo.base}/#/users`);
    await page.getByRole('heading', { name: 'Forbidden' }).waitFor(WAIT);
    expect(await page.getByTestId('forbidden').textContent()).toContain('users');
    await page.screenshot({ path: join(SHOTS, 'forbidden-users.png'), fullPage: true });

    await page.goto(`${demo.base}/#/devices`);
    await page.getByTestId('providers-empty').waitFor(WAIT);
    await page.getByTestId('federation-forbidden').waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, 'devices-empty-consumer.png'), fullPage: true });

    // Santander shares one device with this citizen: it appears, its marker coloured by the
    // attestation on its readings (the citizen may not read the device registry).
    const shared = 'santander-air-quality-2';
    const rule = await demo.api('POST', '/api/v1/access-rules', {
      token: await demo.adminToken(),
      body: {
        org: 'santander',
        principalId: citizenId,
        provider: shared,
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(rule.status).toBe(201);
    await expect.poll(() => page.getByTestId('map-santander').getAttribute('data-markers'), WAIT).toBe('1');
    expect(await page.getByTestId('map-fujisawa').getAttribute('data-markers')).toBe('0');
    await page.getByRole('button', { name: new RegExp(`\\(${shared}\\), unattested$`) }).waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, 'devices-consumer-shared.png'), fullPage: true });

    // The session goes away (expired, revoked, cookie gone): the next poll lands on the login form.
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    await page.context().close();
  }, 180_000);

  it('is usable on a tablet and in the light theme; nothing loaded from elsewhere or against the CSP', async () => {
    const ctx = await browser!.newContext({
      viewport: { width: 820, height: 1180 },
      hasTouch: true,
      colorScheme: 'dark',
    });
    const page = await ctx.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    });
    await page.goto(`${demo.base}/`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor(WAIT);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await expect.poll(() => page.evaluate<string>('document.documentElement.dataset.theme'), WAIT).toBe('light');
    await page.goto(`${demo.base}/#/devices`);
    await expect.poll(() => page.getByTestId('map-fujisawa').getAttribute('data-markers'), WAIT).toBe('3');
    // One column on a tablet: the list sits below the maps, nothing wider than the screen.
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    // Seen once over 820 (1141) in a full run on a loaded machine, never alone: name what sticks out.
    const wide =
      width > 820
        ? await page.evaluate<string>(
            `JSON.stringify([...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 821).slice(0, 8).map((e) => [e.tagName, e.className, Math.round(e.getBoundingClientRect().width)]))`,
          )
        : '';
    expect(width, `elements past the right edge: ${wide}`).toBeLessThanOrEqual(820);
    // Keyboard: a marker takes focus and Enter opens its provider.
    const marker = page.getByRole('button', { name: /\(fujisawa-temperature-2\)/ });
    await marker.focus();
    await page.keyboard.press('Enter');
    await page
      .getByTestId('resource-browser')
      .getByRole('heading', { name: /Fujisawa temperature/ })
      .waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, 'devices-tablet-light.png'), fullPage: true });
    await ctx.close();
    expect(violations).toEqual([]);
  }, 180_000);
});
