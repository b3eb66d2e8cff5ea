import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');
/** Screenshots are kept after the run (test artefacts): look at them. */
export const SHOTS = process.env.MSEC_CONSOLE_SHOTS ?? join(tmpdir(), 'msec-console-screenshots');
export const WAIT = { timeout: 60_000 };

/** Debian's chromium, headless; the console built first if it is not. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(join(ROOT, 'dist', 'console', 'web', 'index.html')))
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

/**
 * A fresh browser context logged in through the console's login form. CSP reports and any
 * request leaving `base` are collected into `violations`.
 */
export async function openConsole(
  browser: Browser,
  base: string,
  user: string,
  password: string,
  violations: string[],
): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(base) && !req.url().startsWith(`blob:${base}/`) && !req.url().startsWith('data:'))
      violations.push(`off-site request ${req.url()}`);
  });
  await page.goto(`${base}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}
