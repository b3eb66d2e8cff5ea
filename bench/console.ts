/**
 * First load of the console's alerts overview in headless chromium, against a platform running
 * the monitor with 300 ingested IDS events: bytes transferred and time until the first alert row
 * is painted (first meaningful paint), each as a ratio to the platform's own /docs page (Swagger
 * UI, served by the same server) loaded in the same browser in the same run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { loadConfig, silentLogger } from '../src/core/index.ts';
import { monitorModule } from '../src/monitor/index.ts';
import { startPlatform } from '../src/server/index.ts';
import { median } from './helpers/measure.ts';

const RUNS = 5;

function eve(i: number, now: number): string {
  const ts = new Date(now - 600_000 + i * 1000).toISOString().replace('Z', '000+0000');
  const sig = ['ET TELNET brute force', 'ET SCAN Nmap SYN', 'ET SCADA Modbus write'][i % 3];
  return JSON.stringify({
    timestamp: ts,
    flow_id: 1000 + i,
    event_type: 'alert',
    src_ip: `203.0.113.${i % 40}`,
    src_port: 40000,
    dest_ip: `10.0.0.${i % 9}`,
    dest_port: 23,
    proto: 'TCP',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 2_000_001 + (i % 3),
      rev: 1,
      signature: sig,
      category: 'Attempted Administrator Privilege Gain',
      severity: 1 + (i % 3),
    },
  });
}

/** Bytes on the wire (headers + bodies) for everything one navigation loaded. */
async function load(page: Page, url: string, ready: string): Promise<{ bytes: number; ms: number }> {
  const sizes: Array<Promise<number>> = [];
  const onDone = (req: import('playwright-core').Request) =>
    sizes.push(
      req
        .sizes()
        .then((s) => s.responseBodySize + s.responseHeadersSize)
        .catch(() => 0),
    );
  page.on('requestfinished', onDone);
  await page.goto(url);
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const ms = await page.evaluate(() => performance.now());
  await page.waitForLoadState('networkidle');
  page.off('requestfinished', onDone);
  return { bytes: (await Promise.all(sizes)).reduce((a, b) => a + b, 0), ms };
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-bench-console-'));
  const config = loadConfig({
    env: {},
    flags: { dataDir, port: 0, logLevel: 'silent', auth: { passwordHashCost: 10 } },
  });
  const platform = await startPlatform({ config, logger: silentLogger(), modules: [monitorModule({})] });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const base = platform.url;
    const password = (JSON.parse(readFileSync(platform.adminCredentialFile!, 'utf8')) as { password: string }).password;
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, any>>);
    const admin = (await post('/auth/login', { username: 'admin', password })).accessToken as string;
    await post('/orgs', { id: 'santander', name: 'Santander', kind: 'city' }, admin);
    const gw = await post(
      '/principals',
      { org: 'santander', kind: 'service', name: 'gw-bench', roles: ['provider'] },
      admin,
    );
    const key = (await post('/api-keys', { name: 'gw', principalId: gw.id }, admin)).key as string;
    const now = Date.now();
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: `gw-bench:1:1:${i}`,
      type: 'eve',
      line: eve(i, now),
      file: '/var/log/suricata/eve.json',
    }));
    await post('/monitor/ingest', { agent: { name: 'gw-bench', version: '0.1.0', org: 'santander' }, events }, key);

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('alert-row').first().waitFor({ timeout: 60_000 }); // alerts are derived asynchronously

    const consoleRuns: Array<{ bytes: number; ms: number }> = [];
    const docsRuns: Array<{ bytes: number; ms: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      // A cold cache each time: a fresh context keeps the session cookie out, so copy it in.
      const cookies = await ctx.cookies();
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await fresh.addCookies(cookies);
      const p = await fresh.newPage();
      consoleRuns.push(await load(p, `${base}/#/alerts`, '[data-testid=alert-row]'));
      docsRuns.push(await load(p, `${base}/docs`, '.opblock'));
      await fresh.close();
    }
    const c = { bytes: median(consoleRuns.map((r) => r.bytes)), ms: median(consoleRuns.map((r) => r.ms)) };
    const d = { bytes: median(docsRuns.map((r) => r.bytes)), ms: median(docsRuns.map((r) => r.ms)) };
    console.log(
      `alerts overview first load: ${(c.bytes / 1024).toFixed(1)} KiB transferred, first alert row painted at ${c.ms.toFixed(0)} ms (median of ${RUNS})`,
    );
    console.log(
      `reference /docs (Swagger UI): ${(d.bytes / 1024).toFixed(1)} KiB, first operation painted at ${d.ms.toFixed(0)} ms`,
    );
    console.log(
      `RATIO console/docs: bytes ${(c.bytes / d.bytes).toFixed(3)}, time to first meaningful paint ${(c.ms / d.ms).toFixed(3)}`,
    );
  } finally {
    await browser.close();
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
