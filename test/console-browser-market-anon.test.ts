/**
 * The console's marketplace and anonymizer pages against `msec up --demo`, in headless Debian
 * chromium. Market data is made through the API as a market would: a Santander provider lists a
 * stream and places asks, a buyer gets tokens, bids at two levels, crosses one ask and rates the
 * trade; the browser then shows listings, the depth, the trades, the buyer's wallet and the
 * rankings. The anonymizer gets a real photo (darknet's person.jpg, chosen and dropped) and a
 * short clip cut from OpenCV's vtest.avi, followed to done and downloaded. A consumer's roles
 * do not allow the anonymizer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openConsole, SHOTS, WAIT } from './helpers/console-browser.ts';
import { removeTempDirs, startMsecUp, type MsecProcess } from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';

const PERSON = '/usr/share/darknet/data/person.jpg';
const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const MEDIA = existsSync(PERSON) && existsSync(VTEST) && existsSync('/usr/bin/ffmpeg');
if (!MEDIA) console.log(`[testdata] ${PERSON}, ${VTEST} or ffmpeg is absent: the anonymizer browser tests do not run`);
const withMedia = MEDIA ? it : it.skip;

const MSEC = 1_000_000;
const SELLER = { name: 'mk-seller', password: 'mk-seller-password-1' };
const BUYER = { name: 'mk-buyer', password: 'mk-buyer-password-1' };
const ANALYST = { name: 'mk-analyst', password: 'mk-analyst-password-1' };
const CLASS = 'santander-temperature-hourly';
const ASKS: Array<[number, number]> = [
  [1.5 * MSEC, 2],
  [1.8 * MSEC, 1],
  [2.2 * MSEC, 3],
];
const BIDS: Array<[number, number]> = [
  [1.2 * MSEC, 4],
  [1 * MSEC, 2],
];

/** Mean absolute difference of two same-size images inside a region, on grey levels. */
async function diff(a: Buffer, b: Buffer, r: { left: number; top: number; width: number; height: number }) {
  const [x, y] = await Promise.all([a, b].map((i) => sharp(i).extract(r).greyscale().raw().toBuffer()));
  let s = 0;
  for (let i = 0; i < x!.length; i++) s += Math.abs(x![i]! - y![i]!);
  return s / x!.length;
}

describe('console marketplace and anonymizer against msec up --demo, in chromium', () => {
  let demo: MsecProcess;
  let browser: Browser | undefined;
  let adminPassword = '';
  let buyerToken = '';
  let buyerId = '';
  let tradeId = '';
  let dir = '';
  const violations: string[] = [];

  const login = async (u: { name: string; password: string }) => {
    const r = await demo.api('POST', '/api/v1/auth/login', { body: { username: u.name, password: u.password } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return (r.body as { accessToken: string }).accessToken;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-console-anon-'));
    demo = await startMsecUp({ args: ['--demo'] });
    adminPassword = (
      JSON.parse(readFileSync(join(demo.dataDir, 'admin-credential.json'), 'utf8')) as { password: string }
    ).password;
    const admin = await demo.adminToken();
    expect(
      (
        await demo.api('POST', '/api/v1/orgs', {
          token: admin,
          body: { id: 'mk-buyers', name: 'Market buyers', kind: 'buyer' },
        })
      ).status,
    ).toBe(201);
    for (const [u, org, roles] of [
      [SELLER, 'santander', ['provider']],
      [BUYER, 'mk-buyers', ['consumer']],
      [ANALYST, 'santander', ['analyst']],
    ] as const) {
      const made = await demo.api('POST', '/api/v1/principals', {
        token: admin,
        body: { org, kind: 'user', name: u.name, roles, password: u.password },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      if (u === BUYER) buyerId = (made.body as { id: string }).id;
    }
    // The demo's own market activity (both cities listed, bought and rated) and a live reading to list.
    await waitFor(
      async () =>
        (await demo.api('GET', '/api/v1/market/tape', { token: await demo.adminToken() })).body?.items?.length >= 2,
      120_000,
      'the demo market trades',
    );
    await waitFor(
      async () =>
        (await demo.api('GET', '/api/v1/providers/santander-temperature-1', { token: await demo.adminToken() }))
          .status === 200,
      90_000,
      'the santander temperature twin',
    );
    const seller = await login(SELLER);
    buyerToken = await login(BUYER);
    const listing = await demo.api('POST', '/api/v1/market/listings', {
      token: seller,
      body: {
        kind: 'live',
        provider: 'santander-temperature-1',
        service: 'weather',
        resource: 'temperature',
        class: CLASS,
        terms: {
          pricing: 'per-period',
          price: 1.5 * MSEC,
          periodSeconds: 3600,
          promisedMessagesPerPeriod: 60,
          licence: 'CC-BY-4.0',
          description: 'Santander: air temperature by the town hall, an hour at a time',
        },
      },
    });
    expect(listing.status, JSON.stringify(listing.body)).toBe(201);
    const listingId = (listing.body as { id: string }).id;
    for (const [price, quantity] of ASKS) {
      const r = await demo.api('POST', '/api/v1/market/orders', {
        token: seller,
        body: { listingId, side: 'ask', type: 'limit', price, quantity },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const mint = await demo.api('POST', '/api/v1/market/mint', {
      token: await demo.adminToken(),
      body: { principalId: buyerId, amount: 50 * MSEC },
    });
    expect(mint.status, JSON.stringify(mint.body)).toBe(201);
    for (const [price, quantity] of BIDS) {
      const r = await demo.api('POST', '/api/v1/market/orders', {
        token: buyerToken,
        body: { class: CLASS, side: 'bid', type: 'limit', price, quantity },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect((r.body as { trades: unknown[] }).trades).toEqual([]);
    }
    // Crossing the best ask: one period bought at 1.5 MSEC, one left at that level.
    const cross = await demo.api('POST', '/api/v1/market/orders', {
      token: buyerToken,
      body: { class: CLASS, side: 'bid', type: 'limit', price: 1.5 * MSEC, quantity: 1 },
    });
    expect(cross.status, JSON.stringify(cross.body)).toBe(201);
    const trades = (cross.body as { trades: Array<{ id: string; price: number }> }).trades;
    expect(trades.map((t) => t.price)).toEqual([1.5 * MSEC]);
    tradeId = trades[0]!.id;
    const rate = await demo.api('POST', `/api/v1/market/trades/${tradeId}/rating`, {
      token: buyerToken,
      body: { score: 5 },
    });
    expect(rate.status, JSON.stringify(rate.body)).toBe(201);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.kill();
    removeTempDirs();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (u: { name: string; password: string }, hash: string): Promise<Page> => {
    const page = await openConsole(browser!, demo.base, u.name, u.password, violations);
    await page.getByTestId('who').waitFor(WAIT);
    await page.goto(`${demo.base}/#/${hash}`);
    return page;
  };

  it("shows the buyer the listings, the class's depth, the trades, the wallet and the rankings, as the API has them", async () => {
    const page = await open(BUYER, 'market');
    await page.getByRole('heading', { name: 'Marketplace' }).waitFor(WAIT);
    const listings = (await demo.api('GET', '/api/v1/market/listings', { token: buyerToken })).body.items as Array<{
      id: string;
      class: string;
    }>;
    expect(listings.length).toBe(3);
    await expect.poll(() => page.getByTestId('listing-row').count(), WAIT).toBe(3);
    for (const l of listings) expect(await page.locator(`[data-listing="${l.id}"]`).count()).toBe(1);
    const ours = page.locator('[data-testid=listing-row]', { hasText: CLASS });
    expect(await ours.getByTestId('listing-price').textContent()).toBe('1.5 MSEC / 1 h');

    // The depth of our class: the API's levels, best first, drawn and tabled.
    // By keyboard: the class is a button.
    await ours.getByRole('button', { name: `Show the order book of ${CLASS}` }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Class').inputValue(), WAIT).toBe(CLASS);
    const book = (await demo.api('GET', `/api/v1/market/book/${CLASS}`, { token: buyerToken })).body as {
      bids: [number, number][];
      asks: [number, number][];
    };
    expect(book.bids).toEqual(BIDS);
    expect(book.asks).toEqual([[1.5 * MSEC, 1], ...ASKS.slice(1)]);
    const chart = page.getByTestId('depth-chart');
    await expect.poll(() => chart.getAttribute('data-asks'), WAIT).toBe('3');
    expect(await chart.getAttribute('data-bids')).toBe('2');
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('bid-price').allTextContents()).toEqual(['1.2 MSEC', '1 MSEC', '']);
    expect(await page.getByTestId('ask-price').allTextContents()).toEqual(['1.5 MSEC', '1.8 MSEC', '2.2 MSEC']);

    // The wallet: 50 minted, 1.5 paid, 6.8 held for the two resting bids.
    const wallet = (await demo.api('GET', '/api/v1/market/wallet', { token: buyerToken })).body as {
      available: number;
      escrow: number;
    };
    expect(wallet).toMatchObject({ available: 41.7 * MSEC, escrow: 6.8 * MSEC });
    await expect
      .poll(() => page.getByTestId('wallet-available').getAttribute('data-minor'), WAIT)
      .toBe(String(wallet.available));
    expect(await page.getByTestId('wallet-available').textContent()).toBe('41.7 MSEC');
    expect(await page.getByTestId('wallet-escrow').textContent()).toBe('6.8 MSEC');
    expect(await page.getByTestId('statement-row').count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('statement').textContent()).toContain('mint');

    // Your trades: the one crossing trade; the tape: it and the demo's two.
    const row = page.locator(`[data-testid=trade-row][data-trade="${tradeId}"]`);
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('bought');
    expect(await row.textContent()).toContain('santander → mk-buyers');
    await expect.poll(() => page.getByTestId('tape-trade').count(), WAIT).toBe(3);

    // Rankings: every provider organisation with a listing, in the API's order.
    const ranks = (await demo.api('GET', '/api/v1/market/rankings', { token: buyerToken })).body.items as Array<{
      provider: string;
      rank: number;
      score: number;
      evidence: number;
    }>;
    expect(ranks.map((r) => r.provider).sort()).toEqual(['fujisawa', 'santander']);
    await expect.poll(() => page.getByTestId('ranking-row').count(), WAIT).toBe(2);
    for (const r of ranks) {
      const tr = page.locator(`[data-testid=ranking-row][data-provider="${r.provider}"]`);
      expect(await tr.getByTestId('ranking-score').textContent()).toBe(r.score.toFixed(2));
      expect(await tr.getByTestId('ranking-evidence').textContent()).toBe(String(r.evidence));
    }
    const santander = ranks.find((r) => r.provider === 'santander')!;
    expect(santander.evidence).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.getByTestId('market-stream').getAttribute('data-state'), WAIT).toBe('live');
    await page.screenshot({ path: join(SHOTS, 'market-buyer.png'), fullPage: true });
    const toggle = page.getByRole('button', { name: /^Switch to (dark|light) theme$/ });
    if ((await toggle.getAttribute('aria-label')) === 'Switch to dark theme') await toggle.click();
    await expect.poll(() => page.evaluate<string>('document.documentElement.dataset.theme'), WAIT).toBe('dark');
    await page.screenshot({ path: join(SHOTS, 'market-buyer-dark.png'), fullPage: true });

    // Live: the seller's new ask reaches the open page through the stream (or the poll) without reload.
    const seller = await login(SELLER);
    const listingId = listings.find((l) => l.class === CLASS)!.id;
    const more = await demo.api('POST', '/api/v1/market/orders', {
      token: seller,
      body: { listingId, side: 'ask', type: 'limit', price: 2.5 * MSEC, quantity: 1 },
    });
    expect(more.status).toBe(201);
    await expect.poll(() => chart.getAttribute('data-asks'), WAIT).toBe('4');
    expect(await page.getByTestId('ask-price').allTextContents()).toContain('2.5 MSEC');
    await page.context().close();
  }, 180_000);

  it('shows the market to an administrator on a tablet and in the light theme; a consumer may not open the anonymizer', async () => {
    const admin = await open({ name: 'admin', password: adminPassword }, 'market');
    await admin.getByRole('heading', { name: 'Marketplace' }).waitFor(WAIT);
    await expect.poll(() => admin.getByTestId('tape-trade').count(), WAIT).toBeGreaterThanOrEqual(3);
    // The admin trades nothing: the wallet is empty, the demo's activity shows in listings, tape and rankings.
    expect(await admin.getByTestId('wallet-available').textContent()).toBe('0 MSEC');
    await expect.poll(() => admin.getByTestId('ranking-row').count(), WAIT).toBe(2);
    await admin.setViewportSize({ width: 820, height: 1180 });
    const toggle = admin.getByRole('button', { name: /^Switch to (dark|light) theme$/ });
    if ((await toggle.getAttribute('aria-label')) === 'Switch to light theme') await toggle.click();
    await expect.poll(() => admin.evaluate<string>('document.documentElement.dataset.theme'), WAIT).toBe('light');
    // The demo's classes trade by buy-now (no resting order): pick the one with a book.
    await admin.getByLabel('Class').selectOption(CLASS);
    await admin.getByTestId('depth-chart').locator('canvas').waitFor(WAIT);
    await admin.screenshot({ path: join(SHOTS, 'market-admin-tablet-light.png'), fullPage: true });
    // Nothing wider than the tablet: wide tables scroll inside their cards.
    expect(await admin.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
    expect(await admin.getByRole('link', { name: 'Anonymizer' }).count()).toBe(1);
    await admin.context().close();

    const buyer = await open(BUYER, 'anonymizer');
    await buyer.getByTestId('forbidden').waitFor(WAIT);
    expect(await buyer.getByTestId('forbidden').textContent()).toContain('“anonymizer”');
    expect(await buyer.getByRole('link', { name: 'Anonymizer' }).count()).toBe(0);
    expect(await buyer.getByRole('link', { name: 'Marketplace' }).count()).toBe(1);
    // The server refuses it too, whatever the browser shows.
    const r = await demo.api('POST', '/api/v1/anonymizer/image', {
      token: buyerToken,
      body: { image: readFileSync(existsSync(PERSON) ? PERSON : import.meta.filename).toString('base64') },
    });
    expect(r.status).toBe(403);
    await buyer.screenshot({ path: join(SHOTS, 'anonymizer-forbidden-consumer.png'), fullPage: true });
    await buyer.context().close();

    // An analyst reads the market but does not trade (no wallet), and may anonymize.
    const analyst = await open(ANALYST, 'market');
    await expect.poll(() => analyst.getByTestId('listing-row').count(), WAIT).toBe(3);
    await analyst.getByText('Your roles do not trade, so you have no wallet here.').waitFor(WAIT);
    expect(await analyst.getByRole('link', { name: 'Anonymizer' }).count()).toBe(1);
    await analyst.context().close();
  }, 120_000);

  withMedia(
    'anonymizes a chosen and a dropped photo, before and after side by side, with what was removed',
    async () => {
      const page = await open({ name: 'admin', password: adminPassword }, 'anonymizer');
      await page.getByRole('heading', { name: 'Anonymizer' }).waitFor(WAIT);
      await page.getByLabel('Image to anonymize').setInputFiles(PERSON);
      const after = page.getByTestId('image-after');
      await after.waitFor({ timeout: 180_000 });
      // Browser-side code as strings: the tests compile without the DOM's types.
      const loaded = `(() => { const i = document.querySelector('[data-testid=image-after]'); return i.complete && i.naturalWidth; })()`;
      await expect.poll(() => page.evaluate<number>(loaded), WAIT).toBe(640);
      const srcs = await page.evaluate<string[]>(
        `[...document.querySelectorAll('[data-testid=before-after] img')].map((i) => i.src)`,
      );
      expect(srcs.length).toBe(2);
      expect(srcs.every((s) => s.startsWith('blob:'))).toBe(true);
      // The two pictures sit side by side at 1280 px.
      const [b, a] = await Promise.all([page.getByTestId('image-before'), after].map((l) => l.boundingBox()));
      expect(b!.x + b!.width).toBeLessThanOrEqual(a!.x);
      expect(Math.abs(b!.y - a!.y)).toBeLessThan(1);
      const bytes = async () =>
        Buffer.from(
          // What the page shows, read back through a canvas (the CSP keeps fetch() off blob: URLs).
          await page.evaluate<string>(`(() => {
            const i = document.querySelector('[data-testid=image-after]');
            const c = document.createElement('canvas');
            c.width = i.naturalWidth;
            c.height = i.naturalHeight;
            c.getContext('2d').drawImage(i, 0, 0);
            return c.toDataURL('image/png').slice('data:image/png;base64,'.length);
          })()`),
          'base64',
        );
      const original = readFileSync(PERSON);
      const out = await bytes();
      expect((await sharp(out).metadata()).width).toBe(640);
      // The person (labelled at 186,109 89x266) is gone; the sky above the horizon is unchanged.
      expect(await diff(original, out, { left: 200, top: 130, width: 60, height: 220 })).toBeGreaterThan(25);
      expect(await diff(original, out, { left: 400, top: 10, width: 200, height: 80 })).toBeLessThan(4);
      const person = page.locator('[data-testid=removed-row][data-class=person]');
      expect(Number(await person.locator('td.num').textContent())).toBeGreaterThanOrEqual(1);
      await page.screenshot({ path: join(SHOTS, 'anonymizer-image.png'), fullPage: true });

      // Dropping a file does the same: a PNG this time, answered as a PNG.
      const png = (await sharp(original).png().toBuffer()).toString('base64');
      const firstAfter = await after.getAttribute('src');
      const drop = await page.evaluateHandle(`(() => {
        const bin = atob(${JSON.stringify(png)});
        const arr = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([arr], 'person.png', { type: 'image/png' }));
        return dt;
      })()`);
      await page.getByTestId('image-file-drop').dispatchEvent('drop', { dataTransfer: drop });
      await expect.poll(() => after.getAttribute('src'), { timeout: 180_000 }).not.toBe(firstAfter);
      expect(await after.getAttribute('alt')).toBe('Anonymized: person.png');
      const dropped = await bytes();
      expect(await after.getAttribute('data-type')).toBe('image/png');
      expect(await diff(original, dropped, { left: 200, top: 130, width: 60, height: 220 })).toBeGreaterThan(25);
      // The first result's object URL was released with it.
      const state = (u: string | null) =>
        page.evaluate<string>(`new Promise((done) => {
          const img = new Image();
          img.onload = () => done('alive');
          img.onerror = () => done('revoked');
          img.src = ${JSON.stringify(u)};
        })`);
      expect(await state(firstAfter)).toBe('revoked');
      expect(await state(await after.getAttribute('src'))).toBe('alive');
      await page.context().close();
    },
    420_000,
  );

  withMedia(
    'follows a video job from queued to done, then serves the anonymized MP4',
    async () => {
      const clip = join(dir, 'clip.mp4');
      const FRAMES = 12;
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-ss',
        '5',
        '-i',
        VTEST,
        '-frames:v',
        String(FRAMES),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-y',
        clip,
      ]);
      const page = await open({ name: 'admin', password: adminPassword }, 'anonymizer');
      await page.getByRole('heading', { name: 'Anonymizer' }).waitFor(WAIT);
      // Every state and frame count the job row shows, as it shows them.
      await page.evaluate(`(() => {
        const seen = (window.seen = []);
        new MutationObserver(() => {
          const row = document.querySelector('[data-testid=video-job]');
          const p = row && row.querySelector('[data-testid=job-progress]');
          const s = (row && row.getAttribute('data-status')) + ':' + ((p && p.getAttribute('data-frames')) || '-');
          if (row && seen[seen.length - 1] !== s) seen.push(s);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      await page.getByLabel('Video to anonymize').setInputFiles(clip);
      const job = page.getByTestId('video-job');
      await job.waitFor(WAIT);
      await expect.poll(() => job.getAttribute('data-status'), { timeout: 360_000, interval: 500 }).toBe('done');
      const seen = await page.evaluate<string[]>('window.seen');
      expect(seen[0]).toMatch(/^(queued|running):\d+$/);
      expect(seen[seen.length - 1]).toBe('done:-');
      const frames = seen.filter((s) => !s.startsWith('done')).map((s) => Number(s.split(':')[1]));
      expect([...frames].sort((x, y) => x - y)).toEqual(frames);
      expect(await page.locator('[data-testid=job-report] [data-class=person] td.num').textContent()).toMatch(/^[1-9]/);
      expect(await job.textContent()).toContain(`${FRAMES} frames`);
      const href = await page.getByTestId('job-download').getAttribute('href');
      const head = await page.evaluate(async (u) => {
        const r = await fetch(u!);
        const b = new Uint8Array(await r.arrayBuffer());
        return { type: r.headers.get('content-type'), ftyp: String.fromCharCode(...b.subarray(4, 8)), size: b.length };
      }, href);
      expect(head).toMatchObject({ type: 'video/mp4', ftyp: 'ftyp' });
      expect(head.size).toBeGreaterThan(1000);
      await page.getByTestId('job-video').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'anonymizer-video.png'), fullPage: true });
      await page.context().close();
    },
    420_000,
  );

  it('broke no Content-Security-Policy rule and requested nothing off-site on any of these pages', () => {
    expect(violations).toEqual([]);
  });
});
