import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { eveAlert, eveLine, startMonitorPlatform, type MonitorPlatform } from './helpers/monitor.ts';

/**
 * Security operations in headless Debian chromium against a real platform: live alerts over the
 * monitor's stream, triage, suppression, bulk close, the ATT&CK matrix and the events overview.
 */
describe('console security operations in a real browser', () => {
  let m: MonitorPlatform;
  let browser: Browser | undefined;
  let base = '';
  let n = 0;
  const violations: string[] = [];

  beforeAll(async () => {
    m = await startMonitorPlatform({ listen: true });
    base = m.t.platform.url;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await m?.close();
  });

  const ingest = async (lines: string[]) => {
    const res = await m.t.request('POST', '/api/v1/monitor/ingest', {
      token: m.gatewayKey,
      body: {
        agent: { name: 'gw-santander-1', version: '0.1.0', org: 'santander' },
        events: lines.map((line) => ({
          id: `gw-santander-1:1:1:${++n}`,
          type: 'eve',
          file: '/var/log/suricata/eve.json',
          line,
        })),
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(lines.length);
  };
  const apiGet = async (url: string) => (await m.t.request('GET', `/api/v1${url}`, { token: m.santanderOp })).json();
  const operator = async (): Promise<Page> => {
    const page = await openConsole(browser!, base, 'sant-op', 'sant-op-password-123', violations);
    await page.getByRole('heading', { name: 'Security operations' }).waitFor(WAIT);
    return page;
  };
  const inbox = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Alert inbox' }).click();
    await page.getByRole('heading', { name: 'Alert inbox' }).waitFor(WAIT);
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  it('shows alerts as events are ingested, pushed by the stream without reload or polling, and acknowledges one', async () => {
    const page = await operator();
    const listRequests: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/monitor\/alerts\?/.test(r.url())) listRequests.push(r.url());
    });
    await inbox(page);
    await page.getByTestId('inbox-empty').waitFor(WAIT);
    await page.locator('[data-testid=live-state][data-state=live]').waitFor(WAIT);
    await page.evaluate('window.__sameDocument = true');
    expect(listRequests).toHaveLength(1);

    const now = Date.now();
    await ingest([
      ...[0, 1, 2].map((i) =>
        eveAlert(now - 60_000 + i * 1000, {
          sid: 2000001,
          signature: 'ET TELNET brute force',
          severity: 1,
          src: '203.0.113.9',
          dst: '10.0.0.5',
          flow: 70 + i,
          technique: 'T1110',
        }),
      ),
      eveAlert(now - 30_000, {
        sid: 2000002,
        signature: 'ET SCAN Nmap SYN',
        severity: 2,
        src: '198.51.100.7',
        dst: '10.0.0.6',
        flow: 90,
        technique: 'T1046',
      }),
      eveAlert(now - 20_000, {
        sid: 2000003,
        signature: 'ET SCADA Modbus write',
        severity: 1,
        src: '198.51.100.8',
        dst: '10.0.0.7',
        flow: 91,
        technique: 'T0855',
      }),
    ]);
    const rows = page.getByTestId('alert-row');
    const brute = rows.filter({ hasText: 'ET TELNET brute force' });
    await brute.waitFor(WAIT);
    await rows.filter({ hasText: 'ET SCAN Nmap SYN' }).waitFor(WAIT);
    // The rows came over the stream: the same document, and no second request for the list.
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(listRequests).toHaveLength(1);
    await expect.poll(() => brute.locator('.num').textContent(), WAIT).toBe('3');
    await shot(page, 'secops-inbox-live.png');

    await brute.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => brute.getByTestId('alert-status').textContent(), WAIT).toBe('acknowledged');
    const acked = await apiGet('/monitor/alerts?status=acknowledged');
    expect(acked.items.map((a: { rule: { title: string } }) => a.rule.title)).toEqual(['ET TELNET brute force']);
    await page.context().close();
  }, 240_000);

  it('opens an alert from the keyboard and triages it: assign, comment, escalate, close with a reason, on a timeline', async () => {
    const page = await operator();
    await inbox(page);
    const list = page.getByTestId('inbox-list');
    await page.getByTestId('alert-row').first().waitFor(WAIT);
    const titles = await page.getByTestId('alert-row').allTextContents();
    const i = titles.findIndex((t) => t.includes('ET TELNET brute force'));
    await list.focus();
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('alert-detail');
    await detail.getByRole('heading', { name: 'ET TELNET brute force' }).waitFor(WAIT);
    await expect.poll(() => detail.getByTestId('alert-event').count(), WAIT).toBe(3);

    await detail.getByLabel('Assign to').fill('maria');
    await detail.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => detail.getByTestId('detail-assignee').textContent(), WAIT).toBe('maria');
    await detail.getByLabel('Comment', { exact: true }).fill('<b id="bold">honeypot</b> confirms it');
    await detail.getByRole('button', { name: 'Add comment' }).click();
    await detail.getByTestId('comment').filter({ hasText: '<b id="bold">honeypot</b>' }).waitFor(WAIT);
    expect(await page.locator('#bold').count()).toBe(0);
    await detail.getByRole('button', { name: 'Escalate' }).click();
    await expect.poll(() => detail.getByTestId('detail-status').textContent(), WAIT).toBe('escalated');
    // Acknowledged (first test), assigned, escalated: three lifecycle marks on the timeline.
    await expect.poll(() => detail.getByTestId('timeline-change').count(), WAIT).toBe(3);
    const timeline = await detail.getByTestId('alert-timeline').textContent();
    expect(timeline).toContain('first seen');
    expect(timeline).toContain('acknowledged → escalated by sant-op');
    expect(timeline).toContain('assigned to maria');
    await shot(page, 'secops-alert-detail.png');

    await detail.getByLabel('Close as').selectOption('true_positive');
    await detail.getByRole('button', { name: 'Close alert' }).click();
    await expect.poll(() => detail.getByTestId('detail-status').textContent(), WAIT).toBe('closed (true positive)');
    const closed = await apiGet('/monitor/alerts?status=closed&rule=suricata:1:2000001');
    expect(closed.items[0]).toMatchObject({ status: 'closed', closeReason: 'true_positive', assignee: 'maria' });
    await page.context().close();
  }, 240_000);

  it('suppresses a source, so its next alert never arrives, and bulk-closes every alert a filter matches', async () => {
    const page = await operator();
    await inbox(page);
    const scan = page.getByTestId('alert-row').filter({ hasText: 'ET SCAN Nmap SYN' });
    await scan.getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('alert-detail');
    await detail.getByRole('heading', { name: 'ET SCAN Nmap SYN' }).waitFor(WAIT);
    await detail.getByLabel('Suppress', { exact: true }).selectOption({ label: 'this source (198.51.100.7)' });
    await detail.getByLabel('Duration').selectOption({ label: 'for 1 hour' });
    await detail.getByLabel('Reason').fill('authorised scan by the city IT');
    await detail.getByRole('button', { name: 'Suppress', exact: true }).click();
    await page.getByTestId('suppression').filter({ hasText: 'source 198.51.100.7' }).waitFor(WAIT);

    await ingest([
      eveAlert(Date.now() - 5000, {
        sid: 2000009,
        signature: 'ET SCAN suppressed probe',
        severity: 2,
        src: '198.51.100.7',
        dst: '10.0.0.9',
        flow: 95,
      }),
    ]);
    await expect.poll(async () => (await apiGet('/monitor/suppressions')).items[0].hits, WAIT).toBe(1);
    expect((await apiGet('/monitor/alerts?rule=suricata:1:2000009')).items).toEqual([]);

    // Five alerts of one signature from five sources: filtered, then closed in one action.
    await ingest(
      [1, 2, 3, 4, 5].map((i) =>
        eveAlert(Date.now() - 4000 + i, {
          sid: 2000050,
          signature: 'ET POLICY telnet open',
          severity: 3,
          src: `192.0.2.${i}`,
          dst: '10.0.0.10',
          flow: 200 + i,
        }),
      ),
    );
    await page.getByTestId('alert-row').filter({ hasText: 'ET POLICY telnet open' }).nth(4).waitFor(WAIT);
    await page.getByLabel('Rule id').fill('suricata:1:2000050');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => page.getByTestId('inbox-total').textContent(), WAIT).toContain('5 alerts match');
    await page.getByLabel('Bulk action').selectOption({ label: 'Close: false positive' });
    await page.getByLabel('on', { exact: true }).selectOption('filter');
    await shot(page, 'secops-bulk-before.png');
    await page.getByRole('button', { name: 'Apply to 5' }).click();
    await expect
      .poll(() => page.getByTestId('inbox-message').textContent(), WAIT)
      .toBe('Close: false positive: 5 of 5 updated');
    await page.getByTestId('inbox-empty').waitFor(WAIT);
    const closed = await apiGet('/monitor/alerts?status=closed&rule=suricata:1:2000050');
    expect(closed.items.map((a: { closeReason: string }) => a.closeReason)).toEqual(Array(5).fill('false_positive'));
    await shot(page, 'secops-bulk-closed.png');
    await page.context().close();
  }, 240_000);

  it('draws the ATT&CK matrix with the techniques of the ingested alerts, in both themes', async () => {
    const page = await operator();
    const matrix = page.getByTestId('attack-matrix');
    await matrix.waitFor(WAIT);
    const cell = (id: string) => matrix.locator(`[data-technique="${id}"]`).first();
    await cell('T1110').waitFor(WAIT);
    expect(await cell('T1110').textContent()).toContain('Brute Force');
    expect(await cell('T1046').textContent()).toContain('Network Service Discovery');
    expect(await cell('T0855').textContent()).toContain('Unauthorized Command Message');
    // Columns are tactics: the brute force sits under Credential Access.
    const column = await page.evaluate<string>(`(() => {
      const t = document.querySelector('[data-testid=attack-matrix]');
      const c = t.querySelector('[data-technique="T1110"]').closest('td');
      return t.querySelectorAll('th')[[...c.parentElement.children].indexOf(c)].textContent;
    })()`);
    expect(column).toContain('Credential Access');
    await page.getByTestId('top-rule').getByText('ET TELNET brute force').waitFor(WAIT);
    await expect.poll(() => page.getByTestId('severity-chart').getAttribute('data-total'), WAIT).not.toBe('0');
    const theme = () => page.evaluate<string>('document.documentElement.dataset.theme');
    const first = await theme();
    await shot(page, `secops-overview-${first}.png`);
    await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
    // The toggle re-renders, then sets the attribute: wait for it rather than read it at once.
    await expect.poll(theme, WAIT).not.toBe(first);
    const second = await theme();
    expect([first, second].sort()).toEqual(['dark', 'light']);
    await shot(page, `secops-overview-${second}.png`);
    // A cell opens the inbox on its technique.
    await cell('T1046').click();
    await page.getByRole('heading', { name: 'Alert inbox' }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId('alert-row').count(), WAIT).toBe(1);
    expect(await page.getByTestId('alert-row').textContent()).toContain('ET SCAN Nmap SYN');
    await page.context().close();
  }, 240_000);

  it('shows the events overview: histogram by type, protocols, and search by field', async () => {
    const now = Date.now();
    const flow = (i: number, type: string, app: string, extra: Record<string, unknown>) =>
      eveLine({
        timeMs: now - 120_000 + i * 1000,
        event_type: type,
        flow_id: 900 + i,
        src_ip: '203.0.113.77',
        src_port: 5000 + i,
        dest_ip: '10.0.0.53',
        dest_port: app === 'dns' ? 53 : 80,
        proto: app === 'dns' ? 'UDP' : 'TCP',
        app_proto: app,
        ...extra,
      });
    await ingest([
      ...[0, 1, 2, 3].map((i) =>
        flow(i, 'dns', 'dns', { dns: { type: 'query', rrname: `h${i}.example.org`, rrtype: 'A' } }),
      ),
      ...[4, 5].map((i) =>
        flow(i, 'http', 'http', { http: { hostname: 'cam.city', url: '/', http_method: 'GET', status: 200 } }),
      ),
    ]);
    const page = await operator();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Events', exact: true }).waitFor(WAIT);
    const chart = page.getByTestId('dataset-chart');
    await chart.waitFor(WAIT);
    const stored = (await apiGet(`/monitor/events/top?by=dataset&from=${now - 6 * 3_600_000}`)).items as Array<{
      key: string;
      count: number;
    }>;
    const total = stored.reduce((s, i) => s + i.count, 0);
    expect(stored.find((i) => i.key === 'dns')?.count).toBe(4);
    await expect.poll(() => chart.getAttribute('data-total'), WAIT).toBe(String(total));
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await chart.getAttribute('aria-label')).toContain('dns 4');
    await page.getByTestId('breakdown-protocol').getByText('dns').waitFor(WAIT);
    await page.getByTestId('breakdown-protocol').getByText('http').waitFor(WAIT);
    await page.getByLabel('Field', { exact: true }).fill('source.ip');
    await page.getByLabel('contains').fill('203.0.113.77');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByTestId('event-row').count(), WAIT).toBe(6);
    await shot(page, 'secops-events.png');
    await page.context().close();
    expect(violations).toEqual([]);
  }, 240_000);
});
