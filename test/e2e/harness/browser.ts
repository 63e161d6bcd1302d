/**
 * Headless Debian Chromium through playwright-core (never `playwright install`: no browser
 * download). The flags keep Chromium from reaching for the network, which is closed here.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumPath } from './environment';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
];

export interface HeadlessBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Window size in CSS pixels (default 1280 x 800). */
  viewport?: { width: number; height: number };
  /** Receives the page's console messages and page errors (default: dropped). */
  log?: (line: string) => void;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<HeadlessBrowser> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    // The clipboard is used by some workbench commands; grant it so no permission prompt appears.
    await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
    const page = await context.newPage();
    if (options.log) {
      const log = options.log;
      page.on('console', (msg) => log(`[browser ${msg.type()}] ${msg.text()}`));
      page.on('pageerror', (err) => log(`[browser pageerror] ${err.message}`));
    }
    let closed = false;
    return {
      browser,
      context,
      page,
      async close() {
        if (closed) return;
        closed = true;
        await browser.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
}
