/**
 * Mode B, "UI": a real VS Code workbench (code-server) in headless Chromium, driven like a user.
 *
 *   const wb = await openWorkbench({
 *     workspace: '/abs/folder',                      // opened in the workbench
 *     extensionDevelopmentPath: '/abs/extension',    // load from source, or:
 *     vsix: '/abs/plan-lens.vsix',                   // install the packaged extension first
 *     settings: { 'planLens.foo': 1 }, env: { ... }, // optional
 *   });
 *   try {
 *     await wb.openFile('queries/top.sql');                     // Quick Open (Ctrl+P)
 *     await wb.rightClickEditorAndChoose('Explain Query', { line: 3 }); // editor context menu
 *     const labels = await wb.rightClickEditor({ line: 1 });    // or: open it, read its labels,
 *     await wb.chooseContextMenuItem('Explain Query');          //     then choose
 *     await wb.runCommand('Plan Lens: Explain Query');          // command palette (F1)
 *     const frame = await wb.findWebviewFrame('#plan-tree');    // webview content
 *     await frame.locator('#plan-tree .node').first().click();
 *     await wb.waitForNotification(/explained/);                // toast text
 *     await wb.screenshot('explain-panel');                     // test-results/explain-panel.png
 *   } finally {
 *     await wb.dispose();                                       // browser closed, server killed
 *   }
 *
 * `wb.page` is the playwright Page for anything these methods do not cover. Notes on the DOM of
 * VS Code 1.100 in a browser, which these methods rely on:
 * - Context menus are custom DOM menus (`.monaco-menu`, items `a.action-menu-item` with an
 *   `.action-label`) rendered inside an open shadow root (`.shadow-root-host`); playwright's CSS
 *   locators pierce open shadow roots, so plain selectors reach them. An item ignores the mouse
 *   for its first 100 ms (so the right-click's mouse-up cannot choose it): clicks wait and retry.
 * - Editor lines are absolutely positioned and recycled; the line numbers in the margin
 *   (`.line-numbers`, text = number) give a line's vertical position.
 * - A webview is an iframe (`.webview`) holding another iframe (`#active-frame`) with the page;
 *   both appear in `page.frames()`.
 * - Functions passed to `page.evaluate` must not declare named inner functions: tsx compiles
 *   them with calls to a `__name` function that does not exist in the page.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Locator, Page } from 'playwright-core';
import { type HeadlessBrowser, launchBrowser } from './browser';
import { type CodeServer, startCodeServer } from './codeServer';
import { TEST_RESULTS_DIR } from './environment';

export interface WorkbenchOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  /** Extension folder loaded from source (the workbench becomes an Extension Development Host). */
  extensionDevelopmentPath?: string;
  /** Packaged extension(s) installed into the fresh extensions folder before start. */
  vsix?: string | string[];
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Extra environment variables for code-server and its extension host. */
  env?: Record<string, string>;
  /** Browser window size (default 1280 x 800). */
  viewport?: { width: number; height: number };
  /** Print code-server's output and the browser console as they come (default: kept for errors). */
  verbose?: boolean;
  /** How long to wait for code-server and then for the workbench (default 90 s each). */
  startTimeoutMs?: number;
}

export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  readonly workspace: string;
  /** Milliseconds from starting code-server until the workbench was shown. */
  readonly startupMs: number;
  /** Waits until the workbench, its editor area and status bar are shown. */
  waitForWorkbench(timeoutMs?: number): Promise<void>;
  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor. */
  openFile(relativePath: string): Promise<void>;
  /** Runs a command from the palette (F1) by its title, with or without its category. */
  runCommand(title: string): Promise<void>;
  /** Right-clicks the active editor's text on `line` (1-based, default 1) and clicks the menu item `label`. */
  rightClickEditorAndChoose(label: string, options?: { line?: number }): Promise<void>;
  /** Right-clicks the active editor's text on `line` and returns the labels of the menu, left open. */
  rightClickEditor(options?: { line?: number }): Promise<string[]>;
  /** Clicks the item `label` (exact text) of the open context menu. */
  chooseContextMenuItem(label: string): Promise<void>;
  /** The labels of the open context menu. */
  contextMenuLabels(): Promise<string[]>;
  /**
   * The frame (usually a webview's inner frame) that contains `selector`, or for which
   * `predicate(frame)` resolves true; polls `page.frames()` until `timeoutMs` (default 20 s).
   */
  findWebviewFrame(selectorOrPredicate: string | ((frame: Frame) => Promise<boolean>), timeoutMs?: number): Promise<Frame>;
  /** Saves a PNG of the whole window to `test-results/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** The texts of the notification toasts now shown. */
  notifications(): Promise<string[]>;
  /** Waits for a notification toast whose text matches, and returns that text. */
  waitForNotification(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** The last lines of code-server's output and the browser console. */
  logTail(lines?: number): string;
  /** Closes the browser and stops code-server. Safe to call twice. */
  dispose(): Promise<void>;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_ROW = `${QUICK_INPUT} .monaco-list-row`;
const ACTIVE_EDITOR = '.editor-group-container.active .editor-instance .monaco-editor';
const MENU_ITEM = '.monaco-menu .action-menu-item';
const TOAST_MESSAGE = '.notifications-toasts .notification-toast .notification-list-item-message';

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const started = Date.now();
  const timeout = options.startTimeoutMs ?? 90_000;
  const workspace = path.resolve(options.workspace);
  if (!fs.statSync(workspace).isDirectory()) throw new Error(`workspace is not a folder: ${workspace}`);
  const log: string[] = [];
  const keep = (line: string): void => {
    log.push(line);
    if (log.length > 300) log.shift();
    if (options.verbose) console.log(line);
  };
  const logTail = (lines = 40): string => log.slice(-lines).join('\n');

  const vsix = options.vsix === undefined ? [] : Array.isArray(options.vsix) ? options.vsix : [options.vsix];
  const server = await startCodeServer({
    workspace,
    settings: options.settings,
    env: options.env,
    installExtensions: vsix.map((v) => path.resolve(v)),
    log: (line) => keep(`[code-server] ${line}`),
    startTimeoutMs: timeout,
  });
  let chromiumBrowser: HeadlessBrowser;
  try {
    chromiumBrowser = await launchBrowser({ viewport: options.viewport, log: keep });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const page = chromiumBrowser.page;

  const dispose = async (): Promise<void> => {
    await chromiumBrowser.close();
    await server.stop();
  };

  const waitForWorkbench = async (timeoutMs = timeout): Promise<void> => {
    for (const selector of ['.monaco-workbench', '.monaco-workbench .part.editor', '.monaco-workbench .part.statusbar']) {
      await page.locator(selector).first().waitFor({ state: 'visible', timeout: timeoutMs });
    }
  };

  /**
   * Waits for a quick-input row accepted by `accept` (given its label and description, the
   * folder for files) and clicks it.
   */
  const pickQuickInputRow = async (
    what: string,
    accept: (label: string, description: string) => boolean,
    timeoutMs = 15_000,
  ): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let labels: string[][] = [];
    while (Date.now() < deadline) {
      // A reused row keeps the hidden label of an item it showed before (one with a detail
      // line): read the label shown, and click the row rather than a label.
      labels = await page
        .locator(QUICK_INPUT_ROW)
        .evaluateAll((rows) =>
          rows.map((row) =>
            ['.label-name', '.label-description'].map((sel) =>
              (([...row.querySelectorAll(sel)] as HTMLElement[]).find((e) => e.offsetParent !== null)?.innerText || '').trim(),
            ),
          ),
        )
        .catch(() => []);
      const index = labels.findIndex(([label, description]) => accept(label, description));
      if (index >= 0) {
        await page.locator(QUICK_INPUT_ROW).nth(index).click();
        await page
          .locator(QUICK_INPUT)
          .waitFor({ state: 'hidden', timeout: 5_000 })
          .catch(() => undefined);
        return;
      }
      await sleep(100);
    }
    await page.keyboard.press('Escape');
    throw new Error(`${what}: no such entry after ${timeoutMs} ms; the list showed: ${JSON.stringify(labels)}`);
  };

  const openQuickInput = async (key: string): Promise<void> => {
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.keyboard.press(key);
      if (
        await input.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => true,
          () => false,
        )
      )
        return;
    }
    throw new Error(`pressing ${key} did not open the quick input`);
  };

  const openFile = async (relativePath: string): Promise<void> => {
    const absolute = path.resolve(workspace, relativePath);
    if (!fs.existsSync(absolute)) throw new Error(`openFile: no such file ${absolute}`);
    const base = path.basename(relativePath);
    await openQuickInput('Control+P');
    await page.keyboard.type(relativePath.split(path.sep).join('/'));
    const folder = path.dirname(relativePath.split(path.sep).join('/'));
    await pickQuickInputRow(
      `openFile(${relativePath})`,
      (label, description) => label === base && (folder === '.' ? description === '' : description.endsWith(folder)),
    );
    await page
      .locator('.editor-group-container.active .tab.active', { hasText: base })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator(ACTIVE_EDITOR).first().waitFor({ state: 'visible', timeout: 10_000 });
  };

  const runCommand = async (title: string): Promise<void> => {
    await openQuickInput('F1');
    await page.keyboard.type(title);
    await pickQuickInputRow(`runCommand(${title})`, (label) => label === title || label.endsWith(`: ${title}`));
  };

  const contextMenuLabels = async (): Promise<string[]> =>
    page.locator(`${MENU_ITEM} .action-label`).evaluateAll((els) => els.map((e) => ((e as HTMLElement).innerText || '').trim()));

  const rightClickEditor = async (options: { line?: number } = {}): Promise<string[]> => {
    const line = options.line ?? 1;
    const editor = page.locator(ACTIVE_EDITOR).first();
    await editor.waitFor({ state: 'visible', timeout: 10_000 });
    const lineNumber = editor
      .locator('.margin .line-numbers')
      .filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) })
      .first();
    const editorBox = await editor.boundingBox();
    const shown = async (): Promise<boolean> => {
      const box = (await lineNumber.count()) > 0 ? await lineNumber.boundingBox() : null;
      return !!box && !!editorBox && box.y >= editorBox.y && box.y + box.height <= editorBox.y + editorBox.height;
    };
    if (!(await shown())) {
      // Not rendered or outside the viewport: scroll it into view with Go to Line.
      await editor.locator('.view-lines').first().click();
      await openQuickInput('Control+G');
      await page.keyboard.type(String(line));
      await page.keyboard.press('Enter');
      await lineNumber.waitFor({ state: 'visible', timeout: 5_000 });
    }
    const numberBox = await lineNumber.boundingBox({ timeout: 5_000 });
    const textBox = await editor.locator('.view-lines').first().boundingBox();
    if (!numberBox || !textBox) throw new Error(`rightClickEditor: line ${line} is not shown`);
    const y = numberBox.y + numberBox.height / 2;
    // Click on the line's text (not past its end), so the cursor lands inside the line.
    const lineWidth = await editor.locator('.view-lines .view-line').evaluateAll((els, top) => {
      const el = els.find((e) => {
        const r = e.getBoundingClientRect();
        return r.top <= top && top < r.bottom;
      });
      const span = el?.firstElementChild as HTMLElement | null | undefined;
      return span ? span.getBoundingClientRect().width : 0;
    }, y);
    const x = textBox.x + Math.max(2, Math.min(lineWidth / 2, textBox.width - 10));
    await page.mouse.click(x, y, { button: 'right' });
    await page.locator(MENU_ITEM).first().waitFor({ state: 'visible', timeout: 5_000 });
    return contextMenuLabels();
  };

  const chooseContextMenuItem = async (label: string): Promise<void> => {
    const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
    const item = page
      .locator(MENU_ITEM)
      .filter({ has: page.locator('.action-label', { hasText: exact }) })
      .first();
    try {
      await item.waitFor({ state: 'visible', timeout: 2_000 });
    } catch {
      const shown = await contextMenuLabels().catch(() => []);
      await page.keyboard.press('Escape');
      throw new Error(`context menu has no item "${label}"; it shows: ${JSON.stringify(shown)}`);
    }
    // A menu item listens for the mouse only 100 ms after it is rendered (so that the mouse-up
    // of the right-click cannot choose it); a click before that leaves the menu open.
    await sleep(150);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!(await item.isVisible())) return;
      await item.click({ timeout: 5_000 }).catch(() => undefined);
      const closed = await page
        .locator('.monaco-menu')
        .first()
        .waitFor({ state: 'hidden', timeout: 1_000 })
        .then(
          () => true,
          () => false,
        );
      if (closed) return;
    }
    await page.keyboard.press('Escape');
    throw new Error(`clicking the context menu item "${label}" did not close the menu`);
  };

  const rightClickEditorAndChoose = async (label: string, options: { line?: number } = {}): Promise<void> => {
    await rightClickEditor(options);
    await chooseContextMenuItem(label);
  };

  const findWebviewFrame = async (
    selectorOrPredicate: string | ((frame: Frame) => Promise<boolean>),
    timeoutMs = 20_000,
  ): Promise<Frame> => {
    const matches =
      typeof selectorOrPredicate === 'string'
        ? async (frame: Frame) => (await frame.locator(selectorOrPredicate).count()) > 0
        : selectorOrPredicate;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of page.frames()) {
        if (frame === page.mainFrame() || frame.isDetached()) continue;
        if (await matches(frame).catch(() => false)) return frame;
      }
      await sleep(200);
    }
    const urls = page.frames().map((f) => f.url().slice(0, 120));
    throw new Error(`no frame matched ${String(selectorOrPredicate)} within ${timeoutMs} ms; frames: ${JSON.stringify(urls)}`);
  };

  const screenshot = async (name: string): Promise<string> => {
    fs.mkdirSync(TEST_RESULTS_DIR, { recursive: true });
    const file = path.join(TEST_RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await page.screenshot({ path: file });
    return file;
  };

  const notificationLocator = (): Locator => page.locator(TOAST_MESSAGE);
  const notifications = async (): Promise<string[]> =>
    notificationLocator().evaluateAll((els) =>
      els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => ((e as HTMLElement).innerText || '').trim()),
    );

  const waitForNotification = async (match: string | RegExp, timeoutMs = 15_000): Promise<string> => {
    const test = (text: string): boolean => (typeof match === 'string' ? text.includes(match) : match.test(text));
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await notifications().catch(() => []);
      const found = seen.find(test);
      if (found !== undefined) return found;
      await sleep(150);
    }
    throw new Error(`no notification matching ${String(match)} within ${timeoutMs} ms; shown: ${JSON.stringify(seen)}`);
  };

  let startupMs: number;
  try {
    const url = server.workbenchUrl(
      options.extensionDevelopmentPath ? { extensionDevelopmentPath: path.resolve(options.extensionDevelopmentPath) } : {},
    );
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeout });
    await waitForWorkbench();
    startupMs = Date.now() - started;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    await dispose();
    throw new Error(`the workbench did not start: ${message}\nLast output:\n${logTail()}`);
  }

  return {
    page,
    server,
    workspace,
    startupMs,
    waitForWorkbench,
    openFile,
    runCommand,
    rightClickEditor,
    chooseContextMenuItem,
    rightClickEditorAndChoose,
    contextMenuLabels,
    findWebviewFrame,
    screenshot,
    notifications,
    waitForNotification,
    logTail,
    dispose,
  };
}
