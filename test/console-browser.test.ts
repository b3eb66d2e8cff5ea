import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { eveAlert, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';

/** The console in headless Debian chromium against a real platform with the monitor. */
describe('console in a real browser: login, live alerts and triage, forbidden page, no script injection', () => {
  let m: MonitorPlatform;
  let browser: Browser | undefined;
  let base = '';
  const violations: string[] = [];

  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
    base = m.t.platform.url;
    const admin = m.admin;
    const r = await m.t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'santander', kind: 'user', name: 'citizen', roles: ['consumer'], password: 'citizen-password-123' },
    });
    expect(r.statusCode).toBe(201);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await m?.close();
  });

  const open = (user: string, password: string): Promise<Page> =>
    openConsole(browser!, base, user, password, violations);

  const ingest = async (events: Array<{ id: string; line: string }>) => {
    const res = await m.t.request('POST', '/api/v1/monitor/ingest', {
      token: m.gatewayKey,
      body: {
        agent: { name: 'gw-santander-1', version: '0.1.0', org: 'santander' },
        events: events.map((e) => ({ ...e, type: 'eve', file: '/var/log/suricata/eve.json' })),
      },
    });
    expect(res.statusCode).toBe(200);
  };

  it('logs an operator in, shows alerts as events are ingested, and acknowledges one', async () => {
    const page = await open('sant-op', 'sant-op-password-123');
    await page.getByRole('heading', { name: 'Security operations' }).waitFor(WAIT);
    expect(await page.getByTestId('who').textContent()).toContain('sant-op');

    const now = Date.now();
    await ingest([
      ...[0, 1, 2].map((i) => ({
        id: `gw-santander-1:1:1:${i}`,
        line: eveAlert(now - 60_000 + i * 1000, {
          sid: 2000001,
          signature: 'ET TELNET brute force',
          severity: 1,
          src: '203.0.113.9',
          dst: '10.0.0.5',
          flow: 70 + i,
          technique: 'T1110',
        }),
      })),
      {
        id: 'gw-santander-1:1:1:9',
        line: eveAlert(now - 30_000, {
          sid: 2000002,
          signature: 'ET SCAN Nmap SYN',
          severity: 2,
          src: '198.51.100.7',
          dst: '10.0.0.6',
          flow: 90,
        }),
      },
    ]);
    // The overview's level counts are those of the API (the IDS alerts and any Sigma detection on the same events).
    await page.getByTestId('top-source').getByText('203.0.113.9').waitFor(WAIT);
    const api = (await m.t.request('GET', '/api/v1/monitor/alerts?limit=100', { token: m.santanderOp })).json()
      .items as Array<{ level: string; count: number }>;
    const high = api.filter((a) => a.level === 'high').length;
    expect(high).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => Number(await page.getByTestId('level-high').textContent()), WAIT).toBe(high);
    // The chart plots the IDS alert events of the last 6 hours by severity: the 4 just ingested.
    await expect.poll(() => page.getByTestId('severity-chart').getAttribute('data-total'), WAIT).toBe('4');
    expect(await page.getByTestId('severity-chart').locator('canvas').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'alerts-overview.png'), fullPage: true });

    await page.goto(`${base}/#/inbox`);
    const rows = page.getByTestId('alert-row');
    await rows.filter({ hasText: 'ET TELNET brute force' }).waitFor(WAIT);
    await rows.filter({ hasText: 'ET SCAN Nmap SYN' }).waitFor(WAIT);

    const brute = rows.filter({ hasText: 'ET TELNET brute force' });
    await brute.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => brute.getByTestId('alert-status').textContent(), WAIT).toBe('acknowledged');
    const listed = await m.t.request('GET', '/api/v1/monitor/alerts?status=acknowledged', { token: m.santanderOp });
    expect(listed.json().items.map((a: { rule: { title: string } }) => a.rule.title)).toEqual([
      'ET TELNET brute force',
    ]);
    await page.screenshot({ path: join(SHOTS, 'alert-acknowledged.png'), fullPage: true });

    // Detail: the three brute-force events behind the alert, and a comment kept as text.
    await brute.getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('alert-detail');
    await expect.poll(() => detail.getByTestId('alert-event').count(), WAIT).toBe(3);
    expect(await detail.getByTestId('alert-event').first().textContent()).toContain('203.0.113.9');
    await detail.getByLabel('Comment', { exact: true }).fill('<b id="bold">checked</b> the honeypot');
    await detail.getByRole('button', { name: 'Add comment' }).click();
    await expect
      .poll(() => detail.getByTestId('comment').first().textContent(), WAIT)
      .toContain('<b id="bold">checked</b> the honeypot');
    expect(await page.locator('#bold').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'alert-detail.png'), fullPage: true });

    // The session is an HttpOnly cookie: nothing a script could steal.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('msec_console');
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(stored).not.toMatch(/eyJ|msec_|token/i);
    await page.context().close();
  }, 180_000);

  it('shows alert text as text: a signature carrying markup creates no element', async () => {
    await ingest([
      {
        id: 'gw-santander-1:1:1:20',
        line: eveAlert(Date.now() - 10_000, {
          sid: 2000003,
          signature: '<img src=x id=injected onerror=alert(1)>',
          severity: 3,
          src: '192.0.2.1',
          dst: '10.0.0.7',
          flow: 99,
        }),
      },
    ]);
    const page = await open('sant-op', 'sant-op-password-123');
    await page.getByTestId('who').waitFor(WAIT);
    await page.goto(`${base}/#/inbox`);
    await page.getByTestId('alert-row').filter({ hasText: '<img src=x id=injected' }).waitFor(WAIT);
    expect(await page.locator('#injected').count()).toBe(0);
    await page.context().close();
  }, 180_000);

  it('shows a low-privilege user a clear forbidden page and no security pages', async () => {
    const page = await open('citizen', 'citizen-password-123');
    await page.getByTestId('who').waitFor(WAIT);
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').count()).toBe(0);
    await page.goto(`${base}/#/alerts`);
    await page.getByRole('heading', { name: 'Forbidden' }).waitFor(WAIT);
    expect(await page.getByTestId('forbidden').textContent()).toContain('alerts');
    await page.screenshot({ path: join(SHOTS, 'forbidden.png'), fullPage: true });
    await page.context().close();
  }, 180_000);

  it('refuses a wrong password on the login page, and loads nothing from elsewhere or against the CSP', async () => {
    const page = await open('sant-op', 'wrong-password');
    await page.getByRole('alert').filter({ hasText: 'INVALID_CREDENTIALS' }).waitFor(WAIT);
    await page.screenshot({ path: join(SHOTS, 'login-refused.png') });
    await page.context().close();
    expect(violations).toEqual([]);
  }, 180_000);
});
