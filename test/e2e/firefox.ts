/// <reference lib="dom" />
/**
 * Firefox in browser tests: Debian's `firefox-esr` driven by puppeteer-core
 * over WebDriver BiDi (Playwright cannot drive a stock Firefox: it needs its
 * own patched build). Fake camera and microphone, no permission prompt.
 *
 * Firefox gathers no loopback ICE candidates, so these tests run inside the
 * network namespace scripts/test-netns.mjs makes (files named
 * `*.netns.test.ts`; the e2e tier runs them there), where the server binds
 * and advertises 10.77.0.1. Chromium runs in the same namespace for the
 * mixed rooms. Sharing a screen needs a headful Firefox on an X display
 * (test/support/xvfb.ts): with permission prompts off it shares the whole
 * (virtual) screen.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Fails early and clearly when the test is not where it can work. */
export function assertFirefoxEnvironment(): void {
  if (!existsSync(FIREFOX_PATH)) throw new Error(`no Firefox at ${FIREFOX_PATH}: run 'apt-get install -y firefox-esr' (npm test tries this itself)`);
  if (!process.env.CONFAB_TEST_MEDIA_IP) {
    throw new Error('Firefox tests run inside a network namespace: `npm run test:e2e -- <file>` sets it up (as root); see scripts/test-netns.mjs');
  }
}

/** `display`: an X display (startXvfb) for a headful Firefox, which can share a screen; default headless. */
export async function launchFirefox(options: { display?: string } = {}): Promise<Browser> {
  assertFirefoxEnvironment();
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: options.display === undefined,
    ...(options.display ? { env: { ...process.env, DISPLAY: options.display } } : {}),
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      // A fake camera (moving colour frames) and microphone (a tone), granted without a prompt.
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      // Autoplay of remote audio without a click.
      'media.autoplay.default': 0,
      'media.autoplay.block-webaudio': false,
    },
  });
}

/** A page in its own browser context (its own camera and storage): a separate person. */
export async function openFirefoxParticipant(browser: Browser, url: string, label: string): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warn') process.stderr.write(`[firefox ${label}] ${msg.text()}\n`);
  });
  await page.goto(url);
  return page;
}
