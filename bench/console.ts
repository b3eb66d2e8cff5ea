/**
 * The console in headless chromium, two figures, each beside a reference measured in the same run:
 *
 * 1. First load of the alerts overview against `msec up --demo` (the gateways replaying IDS attacks):
 *    bytes transferred and time until the overview shows data (first meaningful paint: the top rules
 *    listed), beside the platform's own /docs page (Swagger UI) from the same server.
 * 2. The alert inbox with 100,000 alerts: frame times (requestAnimationFrame deltas inside the page)
 *    while scrolling programmatically — while cursor pages load, then flinging across all 100,000 —
 *    beside the same scroll of an empty page as tall, which shows the machine's own frame cadence.
 *
 * `npm run bench -- console [--alerts N] [--skip-demo]`
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig, silentLogger } from '../src/core/index.ts';
import { MONITOR, monitorModule } from '../src/monitor/index.ts';
import { startPlatform } from '../src/server/index.ts';
import { removeTempDirs, startMsecUp } from '../test/helpers/e2e-platform.ts';
import { seedAlerts } from './helpers/console-seed.ts';
import { frameStats, scrollFrames, type FrameStats } from './helpers/frame-times.ts';
import { argValue, median } from './helpers/measure.ts';

const RUNS = 5;
const ROW_HEIGHT = 38; // src/console/web/pages/inbox.tsx
const LIST = '[data-testid=inbox-list]';
const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${execSync('nproc').toString().trim()} cores`;

/** Bytes on the wire (headers + bodies) for one navigation, and ms until `ready` is visible. */
async function firstLoad(page: Page, url: string, ready: string): Promise<{ bytes: number; ms: number; fcp: number }> {
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
  await page.locator(ready).first().waitFor({ timeout: 120_000 });
  const ms = await page.evaluate(() => performance.now());
  const fcp = await page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
  );
  await page.waitForLoadState('networkidle');
  page.off('requestfinished', onDone);
  return { bytes: (await Promise.all(sizes)).reduce((a, b) => a + b, 0), ms, fcp };
}

async function signIn(browser: Browser, base: string, user: string, password: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor({ timeout: 120_000 });
  await page.close();
  return ctx;
}

async function overviewFirstLoad(browser: Browser): Promise<void> {
  const demo = await startMsecUp({ args: ['--demo'] });
  try {
    const admin = await demo.adminToken();
    // Wait for the replayed attacks to have raised alerts.
    for (let i = 0; i < 240; i++) {
      const r = await demo.api('GET', '/api/v1/monitor/alerts?limit=1', { token: admin });
      if ((r.body.items ?? []).length > 0) break;
      await new Promise((ok) => setTimeout(ok, 500));
    }
    const alerts = (await demo.api('GET', '/api/v1/monitor/alerts/count', { token: admin })).body.count as number;
    const { password } = JSON.parse(readFileSync(join(demo.dataDir, 'admin-credential.json'), 'utf8')) as {
      password: string;
    };
    const ctx = await signIn(browser, demo.base, 'admin', password);
    const cookies = await ctx.cookies();
    const consoleRuns: Array<{ bytes: number; ms: number; fcp: number }> = [];
    const docsRuns: Array<{ bytes: number; ms: number; fcp: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      // A cold cache each time: a fresh context, with the session cookie copied in.
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await fresh.addCookies(cookies);
      const p = await fresh.newPage();
      consoleRuns.push(await firstLoad(p, `${demo.base}/#/alerts`, '[data-testid=top-rule] li'));
      docsRuns.push(await firstLoad(p, `${demo.base}/docs`, '.opblock'));
      await fresh.close();
    }
    await ctx.close();
    const med = (runs: typeof consoleRuns) => ({
      bytes: median(runs.map((r) => r.bytes)),
      ms: median(runs.map((r) => r.ms)),
      fcp: median(runs.map((r) => r.fcp)),
    });
    const c = med(consoleRuns);
    const d = med(docsRuns);
    console.log(`demo running: ${alerts} alerts in the monitor (${load()})`);
    console.log(
      `alerts overview first load: ${(c.bytes / 1024).toFixed(1)} KiB transferred, first contentful paint ${c.fcp.toFixed(0)} ms, top rules painted (first meaningful paint) at ${c.ms.toFixed(0)} ms (median of ${RUNS})`,
    );
    console.log(
      `reference /docs (Swagger UI): ${(d.bytes / 1024).toFixed(1)} KiB, first contentful paint ${d.fcp.toFixed(0)} ms, first operation painted at ${d.ms.toFixed(0)} ms`,
    );
    console.log(
      `RATIO overview/docs: bytes ${(c.bytes / d.bytes).toFixed(3)}, time to first meaningful paint ${(c.ms / d.ms).toFixed(3)}`,
    );
  } finally {
    await demo.kill();
    removeTempDirs();
  }
}

function show(name: string, s: FrameStats): string {
  return `${name}: ${s.frames} frames, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(0)} ms, dropped ${s.dropped}`;
}

async function inboxScroll(browser: Browser, n: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-bench-console-'));
  const config = loadConfig({
    env: {},
    flags: { dataDir, port: 0, logLevel: 'silent', auth: { passwordHashCost: 10 } },
  });
  const platform = await startPlatform({ config, logger: silentLogger(), modules: [monitorModule({})] });
  try {
    const t0 = Date.now();
    await seedAlerts(platform.ctx.services.get(MONITOR), 'platform', n, Date.now());
    console.log(`seeded ${n.toLocaleString()} alerts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const password = (JSON.parse(readFileSync(platform.adminCredentialFile!, 'utf8')) as { password: string }).password;
    const ctx = await signIn(browser, platform.url, 'admin', password);
    const page = await ctx.newPage();
    await page.goto(`${platform.url}/#/inbox`);
    await page.getByTestId('alert-row').first().waitFor({ timeout: 120_000 });
    const height = n * ROW_HEIGHT;

    // Reference: the same scrolls over an empty page as tall (the browser's cadence on this machine now).
    const ref = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await ref.setContent(`<div style="height:${height}px"></div>`);
    const refSlow = await scrollFrames(ref, null, 40, 300);
    const refFling = await scrollFrames(ref, null, Math.ceil(height / 600), 600);
    await ref.close();
    const interval = median([...refSlow, ...refFling]);

    // 1. Scrolling down while the cursor pages load behind (what an operator does first).
    const loading = await scrollFrames(page, LIST, 200, 600);
    // 2. Every page loaded (the bottom asked for: the list loads up to it behind), then a fling across all.
    const tLoad = Date.now();
    await page.evaluate(`(() => {
      const el = document.querySelector(${JSON.stringify(LIST)});
      el.scrollTop = el.scrollHeight;
    })()`);
    for (;;) {
      const text = (await page.getByTestId('inbox-total').textContent()) ?? '';
      const [matching, loaded] = [...text.replace(/[,.\s\u202f\u00a0](?=\d{3})/g, '').matchAll(/\d+/g)].map((m) =>
        Number(m[0]),
      );
      if (loaded !== undefined && loaded >= (matching ?? n)) break;
      await page.waitForTimeout(100);
    }
    const loadAll = (Date.now() - tLoad) / 1000;
    await page.evaluate(`document.querySelector(${JSON.stringify(LIST)}).scrollTop = 0`);
    const fling = await scrollFrames(page, LIST, Math.ceil(height / 600), 600);
    const slow = await scrollFrames(page, LIST, 40, 300);
    const rendered = await page.locator(`${LIST} [role=row]`).count();
    const total = await page.getByTestId('inbox-total').textContent();
    await ctx.close();

    const s = {
      loading: frameStats(loading, interval),
      fling: frameStats(fling, interval),
      slow: frameStats(slow, interval),
    };
    const r = { fling: frameStats(refFling, interval), slow: frameStats(refSlow, interval) };
    console.log(
      `inbox: "${total}", ${rendered} rows in the DOM; every cursor page loaded in ${loadAll.toFixed(1)} s (${load()})`,
    );
    console.log(`frame interval of this browser (median of the reference): ${interval.toFixed(1)} ms`);
    console.log(show('inbox, 200 px/frame while pages load', s.loading));
    console.log(show(`inbox, fling across all ${n.toLocaleString()} (${Math.ceil(height / 600)} px/frame)`, s.fling));
    console.log(show('inbox, 40 px/frame', s.slow));
    console.log(show('reference empty page, fling', r.fling));
    console.log(show('reference empty page, 40 px/frame', r.slow));
    console.log(
      `RATIO inbox/reference p95 frame time: fling ${(s.fling.p95 / r.fling.p95).toFixed(3)}, 40 px/frame ${(s.slow.p95 / r.slow.p95).toFixed(3)}, while loading ${(s.loading.p95 / r.slow.p95).toFixed(3)}`,
    );
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    console.log(`machine: ${load()} (a shared machine; every figure is read beside its reference)`);
    if (!args.includes('--skip-demo')) await overviewFirstLoad(browser);
    await inboxScroll(browser, argValue(args, '--alerts', 100_000));
  } finally {
    await browser.close();
  }
}
