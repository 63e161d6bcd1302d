/**
 * The two views of a plan in Chromium: the grid (rows, sorting, keyboard, selection shared with
 * the tree, a 600 px panel, the 4004-node plan) and the tree's readability (text size at the
 * opening zoom, tooltips, the highlight switch, details that do not hide the selection, Fit on a
 * wide family), and WCAG AA contrast of every text on cards and rows, measured from computed colours.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import { CARD_HEIGHT } from '../../webview-ui/src/card-size';
import {
  REPO_ROOT,
  actAndPaint,
  loadPlan,
  postAndPaint,
  showPlanMessage,
  type PageIncidents,
  useStandalonePages,
  withVsCodeApi,
} from './standalone-page';
import { TOPN, topnAdvice } from './sample-advice';
import { syntheticExplain } from './synthetic-plans';

const SMALL = 'ecommerce-topn-n7.json';
const PARTITIONS = 'partitions-4000-n4004.json';
const CTE = 'cte-materialized-twice.json';
const NEVER = 'never-executed.json';
const CITUS = join(REPO_ROOT, 'test', 'fixtures', 'plans', 'citus', 'pending-orders-one-of-32.json');

function assertClean(incidents: PageIncidents): void {
  assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
}

const rowIds = (page: Page) =>
  page.$$eval('.grid-rows .grid-row', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.nodeId)));
/** Rows as drawn, top to bottom. */
const rowsInOrder = (page: Page) =>
  page.$$eval('.grid-rows .grid-row', (rows) =>
    rows
      .map((row) => ({ id: Number((row as HTMLElement).dataset.nodeId), at: Number(row.getAttribute('aria-rowindex')) }))
      .sort((a, b) => a.at - b.at)
      .map((row) => row.id),
  );
const selectedRow = async (page: Page) => Number(await page.getAttribute('.grid-row.selected', 'data-node-id'));
const selectedCard = async (page: Page) => Number(await page.getAttribute('.card.selected', 'data-node-id'));
const scale = (page: Page) => page.$eval('.tree-world', (world) => new DOMMatrix(getComputedStyle(world).transform).a);

function hottest(plan: AnalyzedPlan): number {
  return plan.nodes.reduce((a, b) => ((b.exclusiveMs ?? 0) > (a.exclusiveMs ?? 0) ? b : a)).id;
}

/** The screen rectangle of a card lies inside the tree viewport's. */
async function cardInView(page: Page, nodeId: number): Promise<boolean> {
  return page.evaluate((id) => {
    const card = document.querySelector(`.card[data-node-id="${id}"]`)?.getBoundingClientRect();
    const view = document.querySelector('.tree-viewport')!.getBoundingClientRect();
    return !!card && card.left >= view.left && card.right <= view.right && card.top >= view.top && card.bottom <= view.bottom;
  }, nodeId);
}

/**
 * Every visible text in the selector's elements with its WCAG contrast ratio against what is
 * behind it: computed colours, semi-transparent backgrounds composited up the ancestors, opacity
 * applied.
 */
function contrasts(page: Page, selector: string): Promise<Array<{ text: string; className: string; ratio: number; size: number }>> {
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  return page.evaluate(`(${CONTRAST_SCRIPT})(${JSON.stringify(selector)})`);
}

const CONTRAST_SCRIPT = `function (selector) {
  function parse(css) {
    const srgb = /^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.e-]+))?\\)$/.exec(css);
    if (srgb) return [srgb[1] * 255, srgb[2] * 255, srgb[3] * 255, srgb[4] === undefined ? 1 : Number(srgb[4])];
    const rgb = /^rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)$/.exec(css);
    if (!rgb) throw new Error('unparsed colour ' + css);
    return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
  }
  function over(top, bottom) {
    return [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  }
  function luminance(rgb) {
    const c = rgb.slice(0, 3).map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  return [...document.querySelectorAll(selector)]
    .filter((element) => (element.textContent || '').trim() !== '' && element.offsetParent !== null)
    .map((element) => {
      const layers = [];
      let opacity = 1;
      for (let node = element; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        opacity *= Number(style.opacity);
        layers.push(parse(style.backgroundColor));
      }
      let background = [255, 255, 255, 1];
      for (const layer of layers.reverse()) background = over(layer, background);
      const color = parse(getComputedStyle(element).color);
      const foreground = over([color[0], color[1], color[2], color[3] * opacity], background);
      const l = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
      return {
        text: (element.textContent || '').trim().slice(0, 40),
        className: String(element.className),
        ratio: (l[0] + 0.05) / (l[1] + 0.05),
        size: parseFloat(getComputedStyle(element).fontSize),
      };
    });
}`;

describe('plan views in Chromium: grid, readable tree, contrast', function () {
  const openPage = useStandalonePages();

  it('lists every node in plan order, indented, with times, rows, loops, buffers and conditions, sortable', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan));
    await actAndPaint(page, () => page.click('.view-grid'));
    assert.equal(await page.getAttribute('.view-grid', 'aria-pressed'), 'true');
    assert.equal(await page.locator('.tree-viewport').isHidden(), true);
    assert.equal(await page.locator('.zoom-controls').isHidden(), true);

    assert.deepEqual(
      await rowsInOrder(page),
      plan.nodes.map((node) => node.id),
    );
    const indents = await page.$$eval('.grid-rows .col-node', (cells) =>
      cells.map((cell) => parseFloat(getComputedStyle(cell).paddingLeft)),
    );
    const byId = new Map((await rowIds(page)).map((id, i) => [id, indents[i]]));
    for (const node of plan.nodes.slice(1)) {
      assert.ok(byId.get(node.id)! > byId.get(node.parentId!)!, `#${node.id} is indented under its parent`);
    }
    const scan = `.grid-row[data-node-id="${TOPN.productsScanId}"]`;
    const cell = (column: string) => page.textContent(`${scan} .col-${column}`);
    assert.equal(await cell('node'), 'Parallel Seq Scan on products p');
    assert.equal(await cell('exclusive'), '33.2 ms · 63%');
    assert.equal(await cell('rows'), '80k of 94k');
    assert.equal(await cell('loops'), '2');
    assert.equal(await cell('buffers'), '0 / 2.8k');
    assert.match((await cell('conditions')) ?? '', /^Filter: \(is_active AND \(price > '10000'::numeric\)\)$/);
    assert.equal(await page.locator(`${scan} .col-exclusive.heat-4`).count(), 1, 'the hottest share carries the hottest colour');

    // Largest exclusive time first, then smallest; the node column goes back to plan order.
    await actAndPaint(page, () => page.click('.grid-sort[data-column="exclusive"]'));
    const byTime = [...plan.nodes].sort((a, b) => (b.exclusiveMs ?? 0) - (a.exclusiveMs ?? 0) || a.id - b.id).map((node) => node.id);
    assert.deepEqual(await rowsInOrder(page), byTime);
    assert.equal(await page.getAttribute('[role="columnheader"]:has([data-column="exclusive"])', 'aria-sort'), 'descending');
    await actAndPaint(page, () => page.click('.grid-sort[data-column="exclusive"]'));
    assert.equal((await rowsInOrder(page))[0], byTime.at(-1));
    assert.equal(await page.getAttribute('[role="columnheader"]:has([data-column="exclusive"])', 'aria-sort'), 'ascending');
    await actAndPaint(page, () => page.click('.grid-sort[data-column="rows"]'));
    const rows = (id: number) => plan.nodes[id].actualRowsTotal!;
    const sortedRows = await rowsInOrder(page);
    assert.ok(
      sortedRows.every((id, i) => i === 0 || rows(sortedRows[i - 1]) >= rows(id)),
      'rows sort largest first',
    );
    await actAndPaint(page, () => page.click('.grid-sort[data-column="node"]'));
    assert.deepEqual(
      await rowsInOrder(page),
      plan.nodes.map((node) => node.id),
    );
    assertClean(incidents);
  });

  it('moves with the keyboard, opens details on Enter, and shares the selection with the tree; the view is remembered', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    await postAndPaint(page, showPlanMessage(plan));
    await actAndPaint(page, () => page.click('.view-grid'));
    await page.focus('.grid-view');
    await actAndPaint(page, () => page.keyboard.press('Home'));
    assert.equal(await selectedRow(page), 0);
    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    assert.equal(await selectedRow(page), 2);
    assert.equal(await page.getAttribute('.grid-view', 'aria-activedescendant'), 'grid-row-2');
    assert.equal(await page.textContent('.details-title'), plan.nodes[2].label);
    await actAndPaint(page, () => page.keyboard.press('End'));
    assert.equal(await selectedRow(page), plan.nodes.length - 1);
    await actAndPaint(page, () => page.keyboard.press('ArrowUp'));
    // Escape closes the details; Enter opens them on the selected row.
    await actAndPaint(page, () => page.keyboard.press('Escape'));
    assert.equal(await page.locator('.details-pane').isHidden(), true);
    await actAndPaint(page, () => page.keyboard.press('Enter'));
    assert.equal(await page.textContent('.details-title'), plan.nodes[plan.nodes.length - 2].label);

    // The row selected is the card selected, and back.
    await actAndPaint(page, () => page.click(`.grid-row[data-node-id="${TOPN.productsScanId}"] .col-rows`));
    await actAndPaint(page, () => page.click('.view-tree'));
    assert.equal(await selectedCard(page), TOPN.productsScanId);
    assert.ok(await cardInView(page, TOPN.productsScanId));
    await actAndPaint(page, () => page.click(`.card[data-node-id="${TOPN.sortId}"]`));
    await actAndPaint(page, () => page.click('.view-grid'));
    assert.equal(await selectedRow(page), TOPN.sortId);
    await actAndPaint(page, () => page.click('.grid-sort[data-column="inclusive"]'));

    await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').gridSort === 'inclusive');
    await page.reload();
    await page.waitForSelector('.grid-row.selected');
    assert.equal(await page.locator('.tree-viewport').isHidden(), true);
    assert.equal(await selectedRow(page), TOPN.sortId);
    assert.equal(await page.getAttribute('[role="columnheader"]:has([data-column="inclusive"])', 'aria-sort'), 'descending');
    assertClean(incidents);
  });

  it('stays readable in a 600 px panel: nothing numeric cut, the node column in place', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage({ width: 600, height: 700 });
    await postAndPaint(page, showPlanMessage(plan));
    await actAndPaint(page, () => page.click('.view-grid'));
    const cells = await page.$$eval('.grid-rows .grid-cell:not(.col-node):not(.col-conditions)', (elements) =>
      elements.map((cell) => ({
        text: cell.textContent,
        clipped: cell.scrollWidth > cell.clientWidth,
        size: parseFloat(getComputedStyle(cell).fontSize),
      })),
    );
    assert.ok(cells.length >= plan.nodes.length * 6);
    assert.deepEqual(
      cells.filter((cell) => cell.clipped),
      [],
    );
    assert.ok(cells.every((cell) => cell.size >= 11));
    // Scrolled sideways to the conditions, the node names stay on the left.
    await page.$eval('.grid-scroll', (scroller) => {
      scroller.scrollLeft = scroller.scrollWidth;
    });
    const node = await page.$eval(
      `.grid-row[data-node-id="${TOPN.productsScanId}"] .col-node`,
      (cell) => cell.getBoundingClientRect().left,
    );
    const grid = await page.$eval('.grid-view', (view) => view.getBoundingClientRect().left);
    assert.equal(node, grid);
    const conditions = await page.$eval(`.grid-row[data-node-id="${TOPN.productsScanId}"] .col-conditions`, (cell) =>
      cell.getBoundingClientRect(),
    );
    assert.ok(conditions.right <= 600 && conditions.left > 0, 'the conditions scroll into view');
    assertClean(incidents);
  });

  it('draws only the rows in view of the 4004-node plan, and a row folded away in the tree opens it there', async () => {
    const plan = loadPlan(PARTITIONS);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan));
    await actAndPaint(page, () => page.click('.view-grid'));
    assert.ok((await page.locator('.grid-rows .grid-row').count()) < 80);
    await page.focus('.grid-view');
    await actAndPaint(page, () => page.keyboard.press('End'));
    const last = plan.nodes.length - 1;
    assert.equal(await selectedRow(page), last);
    const inView = await page.$eval('.grid-row.selected', (row) => {
      const r = row.getBoundingClientRect();
      const v = document.querySelector('.grid-scroll')!.getBoundingClientRect();
      return r.top >= v.top && r.bottom <= v.bottom;
    });
    assert.ok(inView, 'End scrolls the last row into view');
    assert.ok((await page.locator('.grid-rows .grid-row').count()) < 80);
    // The last partition scan is folded into the Append's group in the tree: selecting it opened the group.
    assert.equal(Number(await page.getAttribute('.tree-status', 'data-shown')), plan.nodes.length);
    await actAndPaint(page, () => page.click('.view-tree'));
    assert.equal(await selectedCard(page), last);
    assert.ok(await cardInView(page, last));
    assertClean(incidents);
  });

  it('opens with card text at 11 px or more: fitted when that holds, else on the hottest path', async () => {
    for (const [fileName, width] of [
      [SMALL, 1400],
      [PARTITIONS, 1400],
      [CTE, 700],
    ] as const) {
      const plan = loadPlan(fileName);
      const { page } = await openPage({ width, height: 800 });
      await postAndPaint(page, showPlanMessage(plan));
      const k = await scale(page);
      const sizes = await page.$$eval(
        '.card .card-title, .card .card-sub, .card .time-text, .card .rows-text, .card .misestimate, .card button',
        (elements) => elements.map((element) => parseFloat(getComputedStyle(element).fontSize)),
      );
      assert.ok(sizes.length > 0);
      assert.ok(Math.min(...sizes) * k >= 11 - 1e-9, `${fileName}: smallest text ${Math.min(...sizes) * k} px at scale ${k}`);
      const hot = hottest(plan);
      if (await page.locator(`.card[data-node-id="${hot}"]`).count()) {
        assert.ok(await cardInView(page, hot), `${fileName}: the hottest node #${hot} starts in view, not clipped`);
      } else {
        // Folded into a group: the group holding it is in view.
        const group = await page.$eval('.card.group', (card) => {
          const r = card.getBoundingClientRect();
          const v = document.querySelector('.tree-viewport')!.getBoundingClientRect();
          return r.left >= v.left && r.right <= v.right && r.bottom <= v.bottom;
        });
        assert.ok(group, `${fileName}: the group holding the hottest node is in view`);
      }
      await page.close();
    }
  });

  it('gives every card a tooltip with its node, times and rows, and switches what the cards highlight', async () => {
    const plan = analyzePlan(syntheticExplain(60, 3));
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    await postAndPaint(page, showPlanMessage(plan));
    const id = Number(await page.getAttribute('.card[data-node-id]', 'data-node-id'));
    const node = plan.nodes[id];
    const title = (await page.getAttribute(`.card[data-node-id="${id}"]`, 'title')) ?? '';
    assert.match(
      title,
      /\nExclusive [\d.]+ m?s \([\d.<]+%\) · inclusive [\d.]+ m?s\nCost [\d.]+\.\.[\d.]+\nRows [\d,]+ of [\d,]+ estimated/,
    );
    assert.ok(title.startsWith(node.label), title);
    const heats = () =>
      page.$$eval('.card[data-node-id]', (cards) =>
        Object.fromEntries(cards.map((card) => [(card as HTMLElement).dataset.nodeId, /heat-(\d)/.exec(card.className)![1]])),
      );
    const byTime = await heats();
    await actAndPaint(page, async () => void (await page.selectOption('.highlight-select', 'misestimate')));
    const byMisestimate = await heats();
    assert.match((await page.textContent('.legend-heat')) ?? '', /^Estimate off by/);
    for (const [id, heat] of Object.entries(byMisestimate)) {
      const factor = plan.nodes[Number(id)].misestimate?.factor ?? 1;
      const expected = [10, 100, 1000, 10_000].filter((t) => factor >= t).length;
      assert.equal(Number(heat), plan.nodes[Number(id)].stoppedEarly ? 0 : expected, `#${id} off by ${factor}`);
    }
    assert.notDeepEqual(byMisestimate, byTime);
    await actAndPaint(page, async () => void (await page.selectOption('.highlight-select', 'rows')));
    const root = plan.nodes.reduce((a, b) => ((b.actualRowsTotal ?? 0) > (a.actualRowsTotal ?? 0) ? b : a));
    const byRows = await heats();
    if (byRows[root.id] !== undefined) assert.equal(byRows[root.id], '4');
    await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').highlight === 'rows');
    await page.reload();
    await page.waitForSelector('.card');
    assert.equal(await page.inputValue('.highlight-select'), 'rows');
    assert.deepEqual(await heats(), byRows);
    assertClean(incidents);
  });

  it('keeps the selected card clear of the details pane when the pane opens', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage({ width: 900, height: 700 });
    await postAndPaint(page, showPlanMessage(plan));
    // The rightmost card, selected, with the pane closed and the tree fitted to the whole width.
    const id = await page.$$eval('.card[data-node-id]', (cards) =>
      Number(
        (cards.reduce((a, b) => (b.getBoundingClientRect().right > a.getBoundingClientRect().right ? b : a)) as HTMLElement).dataset.nodeId,
      ),
    );
    await actAndPaint(page, () => page.click(`.card[data-node-id="${id}"]`));
    await actAndPaint(page, () => page.keyboard.press('Escape'));
    assert.equal(await page.locator('.details-pane').isHidden(), true);
    await actAndPaint(page, () => page.click('.fit'));
    const right = await page.$eval(`.card[data-node-id="${id}"]`, (card) => card.getBoundingClientRect().right);
    const paneWidth = await page.evaluate(() => Math.min(400, 0.42 * innerWidth));
    assert.ok(right > 900 - paneWidth, 'the card is where the pane will open');
    await page.focus('.tree-viewport');
    await actAndPaint(page, () => page.keyboard.press('Enter'));
    assert.equal(await page.locator('.details-pane').isHidden(), false);
    assert.ok(await cardInView(page, id), `#${id} stays in view beside the pane`);
    assertClean(incidents);
  });

  it('fits a family of hundreds shown in full without shrinking it to a hairline', async () => {
    const plan = analyzePlan(syntheticExplain(700, 5));
    const append = plan.nodes.find((node) => node.nodeType === 'Append')!;
    assert.ok(append.childIds.length >= 240, `${append.childIds.length} siblings`);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan));
    await actAndPaint(page, () => page.click('.card-show-all'));
    assert.equal(Number(await page.getAttribute('.tree-status', 'data-shown')), plan.nodes.length);
    await actAndPaint(page, () => page.click('.fit'));
    const k = await scale(page);
    assert.ok(CARD_HEIGHT * k >= 12 - 1e-9, `cards ${CARD_HEIGHT * k} px high at scale ${k}`);
    assertClean(incidents);
  });

  it('meets WCAG AA (4.5:1) for the text of cards, badges, pills and grid rows in dark, light and high contrast', async () => {
    const misestimated = analyzePlan(syntheticExplain(60, 3));
    assert.ok(misestimated.nodes.some((node) => (node.misestimate?.factor ?? 1) >= 10 && !node.stoppedEarly));
    const failing: string[] = [];
    for (const theme of ['dark', 'light', 'high-contrast', 'high-contrast-light']) {
      const { page, incidents } = await openPage({ theme, width: 2400, height: 900 });
      const measured: Array<{ text: string; className: string; ratio: number }> = [];
      const messages = [
        { ...showPlanMessage(loadPlan(SMALL)), advice: topnAdvice() },
        showPlanMessage(misestimated),
        showPlanMessage(loadPlan(NEVER)),
        showPlanMessage(analyzePlan(parseExplainJson(readFileSync(CITUS, 'utf8')))),
      ];
      for (const message of messages) {
        await postAndPaint(page, message);
        measured.push(
          ...(await contrasts(
            page,
            '.card-title, .card-sub, .time-text, .rows-text, .note, .never-executed, .misestimate, .badge-count, .remote-badge, .card button',
          )),
        );
        await actAndPaint(page, () => page.click('.view-grid'));
        measured.push(...(await contrasts(page, '.grid-rows .grid-cell, .grid-sort, .grid-rows .remote-badge')));
        await actAndPaint(page, () => page.click('.view-tree'));
      }
      assert.ok(
        measured.some((m) => m.className.includes('misestimate')),
        'a misestimate pill was measured',
      );
      assert.ok(
        measured.some((m) => m.text.length > 0 && m.className === 'badge-count'),
        'a finding badge was measured',
      );
      assert.ok(
        measured.some((m) => m.className === 'never-executed'),
        'a node never executed was measured',
      );
      assert.ok(
        measured.some((m) => m.className === 'remote-badge'),
        'the remote badge of a Citus node was measured',
      );
      failing.push(...measured.filter((m) => m.ratio < 4.5).map((m) => `${theme}: ${m.className} "${m.text}" ${m.ratio.toFixed(2)}:1`));
      assertClean(incidents);
      await page.close();
    }
    assert.deepEqual([...new Set(failing)], [], 'text under 4.5:1');
  });
});
