/**
 * The plan webview's standalone page in headless Chromium, for UI tests and benchmarks: a
 * loopback static server over the repository, the browser, and helpers that post protocol
 * messages and wait until the tree is painted.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { PlanMeta, ShowPlanMessage } from '../../src/protocol';

export const REPO_ROOT = join(__dirname, '..', '..');
export const PLANS_DIR = join(REPO_ROOT, '..', 'shared', 'plans');
const FIXTURE_DIRS = [join(REPO_ROOT, 'test', 'fixtures', 'plans', 'pg15'), join(REPO_ROOT, 'test', 'fixtures', 'plans', 'large')];

/**
 * A captured plan by file name: from the repository's fixtures (the large ones gzipped) so the
 * tests need nothing outside it, else from the plans folder beside the repository.
 */
export function readPlanText(fileName: string): string {
  for (const dir of FIXTURE_DIRS) {
    const path = join(dir, fileName);
    if (existsSync(path)) return readFileSync(path, 'utf8');
    if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`)).toString('utf8');
  }
  return readFileSync(join(PLANS_DIR, fileName), 'utf8');
}
export const CHROMIUM_PATH = process.env.PLAN_LENS_CHROMIUM ?? '/usr/bin/chromium';
export const STANDALONE_PATH = '/webview-ui/standalone.html';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the repository read-only on 127.0.0.1, nothing outside it. */
export async function serveRepository(): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    const file = join(REPO_ROOT, path);
    if (path === '/favicon.ico') {
      // Browsers ask for it unprompted; a 404 would read as a page error.
      response.writeHead(204).end();
      return;
    }
    if (request.method !== 'GET' || !file.startsWith(REPO_ROOT + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-precise-memory-info',
    ],
  });
}

/** What the page did that it must not: CSP violations, dialogs, uncaught errors. */
export interface PageIncidents {
  cspViolations: string[];
  dialogs: string[];
  errors: string[];
}

export interface StandalonePage {
  page: Page;
  incidents: PageIncidents;
}

export interface PageOptions {
  /** `dark`, `light`, `high-contrast` or `high-contrast-light`: the body class VS Code would set. */
  theme?: string;
  width?: number;
  height?: number;
  permissions?: string[];
  /** Runs before the page loads, e.g. to install init scripts. */
  beforeLoad?: (page: Page) => Promise<void>;
}

export async function openStandalonePage(
  browser: Browser,
  server: StaticServer,
  { theme = 'dark', width = 1400, height = 860, permissions, beforeLoad }: PageOptions = {},
): Promise<StandalonePage> {
  const page = await browser.newPage({ viewport: { width, height }, permissions });
  const incidents: PageIncidents = { cspViolations: [], dialogs: [], errors: [] };
  await page.exposeFunction('__reportCspViolation', (text: string) => incidents.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on('dialog', (dialog) => {
    incidents.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => incidents.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      incidents.errors.push(message.text());
    }
  });
  await beforeLoad?.(page);
  await page.goto(`${server.origin}${STANDALONE_PATH}?theme=${theme}`);
  await page.waitForSelector('.notice.waiting');
  return { page, incidents };
}

/**
 * VS Code's webview API as the page sees it, for `beforeLoad`: what the page posts is kept in
 * `window.__posted`, and its state survives a reload the way VS Code keeps it.
 */
export async function withVsCodeApi(page: Page): Promise<void> {
  await page.addInitScript(`
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (message) => window.__posted.push(message),
      getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined,
      setState: (state) => sessionStorage.setItem('state', JSON.stringify(state)),
    });`);
}

export function showPlanMessage(plan: AnalyzedPlan, meta: Partial<PlanMeta> = {}): ShowPlanMessage {
  return {
    type: 'showPlan',
    plan,
    meta: {
      statement: 'SELECT 1',
      server: 'postgres@127.0.0.1:5432/shop',
      ranAt: '2025-11-26T02:31:05.000Z',
      mode: plan.analyzed ? 'analyze' : 'estimate',
      ...meta,
    },
  };
}

export function loadPlan(fileName: string): AnalyzedPlan {
  return analyzePlan(parseExplainJson(readPlanText(fileName)));
}

export function loadStatement(fileName: string): string {
  const name = fileName.replace(/\.json$/, '.sql');
  const sql = [...FIXTURE_DIRS, PLANS_DIR].map((dir) => join(dir, name)).find((path) => existsSync(path));
  return sql ? readFileSync(sql, 'utf8').trim() : 'SELECT 1';
}

/**
 * Posts a message the way the host does and resolves, with the time it took in the page, once
 * the result is painted. The JSON text crosses into the page first, so the timing covers only
 * what the webview does: receive (structured clone), render, paint.
 */
export async function postAndPaint(page: Page, message: object): Promise<number> {
  return page.evaluate(async (json) => {
    const parsed: unknown = JSON.parse(json);
    const start = performance.now();
    await new Promise<void>((resolve) => {
      // Registered after the page's own listener, so it runs once the message is handled; the
      // next paint mark is then the one of this render.
      window.addEventListener('message', () => window.addEventListener('planlens:painted', () => resolve(), { once: true }), {
        once: true,
      });
      window.postMessage(parsed, '*');
    });
    return performance.now() - start;
  }, JSON.stringify(message));
}

/** Runs a user action and resolves once the page painted what it changed. */
export async function actAndPaint(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await page.evaluate(() => Number(document.documentElement.dataset.painted ?? 0));
  await action();
  await page.waitForFunction((count) => Number(document.documentElement.dataset.painted ?? 0) > count, before);
}

/** A user action the page can replay on itself, so that it can time it without the test driver's latency. */
export type PageAction =
  | { click: string }
  /** A keydown on the element (the tree, unless said otherwise), with Shift held if said. */
  | { key: string; on?: string; shift?: boolean }
  /** Text typed into the search box. */
  | { search: string };

/** An action that changes nothing paints nothing; waiting longer than this means it did not happen. */
const PAINT_TIMEOUT_MS = 10_000;

/** Performs `action` inside the page and resolves with the milliseconds until the result is painted. */
export function timeAction(page: Page, action: PageAction): Promise<number> {
  return page.evaluate(
    async ({ act, timeout }) => {
      const start = performance.now();
      const painted = new Promise((resolve, reject) => {
        window.addEventListener('planlens:painted', resolve, { once: true });
        setTimeout(() => reject(new Error(`no paint within ${timeout} ms of ${JSON.stringify(act)}`)), timeout);
      });
      if ('click' in act) {
        const target = document.querySelector<HTMLElement>(act.click);
        if (!target) {
          throw new Error(`nothing matches ${act.click}`);
        }
        target.click();
      } else if ('key' in act) {
        document
          .querySelector(act.on ?? '.tree-viewport')!
          .dispatchEvent(new KeyboardEvent('keydown', { key: act.key, shiftKey: act.shift ?? false, bubbles: true }));
      } else {
        const input = document.querySelector<HTMLInputElement>('.search-input')!;
        input.value = act.search;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
      await painted;
      return performance.now() - start;
    },
    { act: action, timeout: PAINT_TIMEOUT_MS },
  );
}

/**
 * The hooks every standalone-page suite needs, registered in the calling `describe`: the bundle
 * built, one static server and one Chromium for the suite (skipped without Chromium), and each
 * test's page closed after it. Returns the suite's page opener; `withDefaults` adds to the options
 * of every page it opens.
 */
export function useStandalonePages(
  withDefaults: (options: PageOptions) => PageOptions = (options) => options,
): (options?: PageOptions) => Promise<StandalonePage> {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const opened: Page[] = [];

  before(async function () {
    if (!chromiumAvailable()) {
      this.skip();
    }
    const { buildWebview } = await import('../../webview-ui/build.mjs');
    await buildWebview();
    server = await serveRepository();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    for (const page of opened.splice(0)) await page.close();
  });

  return async (options = {}) => {
    const open = await openStandalonePage(browser!, server!, withDefaults(options));
    opened.push(open.page);
    return open;
  };
}
