/**
 * The plan webview in a real browser: the standalone page (the same bundle and CSP as the VS Code
 * panel) in headless Chromium, fed with the host's protocol messages.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { analyzePlan } from '../../src/core/plan';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import {
  REPO_ROOT,
  actAndPaint,
  loadPlan,
  loadStatement,
  postAndPaint,
  showPlanMessage,
  withVsCodeApi,
  type PageIncidents,
  useStandalonePages,
} from './standalone-page';
import { IMG_PAYLOAD, SCRIPT_PAYLOAD, hostileExplain, syntheticExplain } from './synthetic-plans';
import { STATE_PLAN_MAX_NODES } from '../../src/protocol';
import { PlanIndex } from '../../webview-ui/src/visible-tree';

const RESULTS_DIR = join(REPO_ROOT, 'test-results');
const SMALL = 'ecommerce-topn-n7.json';
const PARTITIONS = 'partitions-4000-n4004.json';

function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return page.screenshot({ path: join(RESULTS_DIR, `webview-${name}.png`) });
}

function assertClean(incidents: PageIncidents): void {
  assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
}

const cardCount = (page: Page) => page.locator('.card').count();
const shownCount = async (page: Page) => Number(await page.getAttribute('.tree-status', 'data-shown'));
const nodeCard = (id: number) => `.card[data-node-id="${id}"]`;

/** The label / value pairs of the details pane's EXPLAIN section. */
async function rawFields(page: Page): Promise<Map<string, string>> {
  const pairs = await page.$$eval('.fields.raw dt', (terms) =>
    terms.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as [string, string]),
  );
  return new Map(pairs);
}

function firstNodeWhere(plan: AnalyzedPlan, test: (node: AnalyzedPlan['nodes'][number]) => boolean): number {
  const node = plan.nodes.find(test);
  assert.ok(node, 'the plan has the node the test needs');
  return node.id;
}

describe('plan webview in Chromium', function () {
  const openPage = useStandalonePages();

  it('draws a real plan: one card per node, the root first, relations named, within the CSP', async () => {
    const plan = loadPlan(SMALL);
    for (const theme of ['dark', 'light', 'high-contrast']) {
      const { page, incidents } = await openPage({ theme });
      await postAndPaint(page, showPlanMessage(plan, { statement: loadStatement(SMALL), title: 'Top 20 active products' }));

      assert.equal(await cardCount(page), plan.nodes.length);
      assert.equal(await shownCount(page), plan.nodes.length);
      assert.equal(await page.textContent(`${nodeCard(0)} .card-title`), 'Limit');
      const scanId = firstNodeWhere(plan, (node) => node.relation === 'products');
      assert.match((await page.textContent(`${nodeCard(scanId)} .card-sub`)) ?? '', /on products p/);
      assert.match((await page.textContent('.plan-header')) ?? '', /Execution\s*53\.1 ms/);
      // The scan takes most of the time: it carries the hottest colour.
      assert.ok(await page.locator(`${nodeCard(scanId)}.heat-4`).count());
      await screenshot(page, `ecommerce-${theme}`);
      assertClean(incidents);
      await page.close();
    }
  });

  it('collapses a subtree to a count of hidden nodes and expands it again', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan));
    const joinId = firstNodeWhere(plan, (node) => node.nodeType === 'Hash Join');
    const hidden = plan.nodes.filter((node) => node.id > joinId).length;

    await actAndPaint(page, () => page.click(`${nodeCard(joinId)} .card-toggle`));
    assert.equal(await cardCount(page), plan.nodes.length - hidden);
    assert.equal(await page.textContent(`${nodeCard(joinId)} .card-toggle`), `▸ +${hidden}`);
    assert.equal(await page.getAttribute(nodeCard(joinId), 'aria-expanded'), 'false');

    await actAndPaint(page, () => page.click(`${nodeCard(joinId)} .card-toggle`));
    assert.equal(await cardCount(page), plan.nodes.length);
    assertClean(incidents);
  });

  it('opens the 4004-node plan with the Append family grouped, and expands, zooms and regroups it', async () => {
    const plan = loadPlan(PARTITIONS);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan, { statement: loadStatement(PARTITIONS) }));
    const appendId = firstNodeWhere(plan, (node) => node.childIds.length > 1000);

    assert.equal(await shownCount(page), 14);
    // Down to the Append's first child, then right along the row to the group at its end.
    await page.focus('.tree-viewport');
    for (let depth = 0; depth <= plan.nodes[appendId].depth + 1; depth++) {
      await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    }
    for (let step = 0; step < 10; step++) {
      await actAndPaint(page, () => page.keyboard.press('ArrowRight'));
    }
    const group = page.locator(`.card.group.selected[data-group-id="${appendId}"]`);
    assert.equal(await group.locator('.card-title').textContent(), '+3990 more');
    assert.equal(await group.locator('.card-sub').textContent(), 'Parallel Seq Scan nodes');
    await screenshot(page, 'partitions-4000-grouped');

    await actAndPaint(page, () => group.locator('.card-show-all').click());
    assert.equal(await shownCount(page), 4004);
    // The selection moves from the group to the first node it folded.
    const firstFolded = new PlanIndex(plan).family(appendId).grouped[0];
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(firstFolded));
    // Only the cards in view are in the DOM, not four thousand.
    assert.ok((await cardCount(page)) < 100, `${await cardCount(page)} cards in the DOM`);

    // Zoomed out past reading, cards give way to outlines.
    await actAndPaint(page, () => page.click('.fit'));
    assert.equal(await page.locator('.tree-viewport.far').count(), 1);
    assert.equal(await cardCount(page), 0);
    const outlines = await page.$$eval('.outlines path', (paths) => paths.map((path) => path.getAttribute('d') ?? '').join(''));
    assert.equal(outlines.match(/z/g)?.length, 4004);
    await screenshot(page, 'partitions-4000-expanded');

    // The keyboard brings the view back to readable cards; regrouping is offered on the parent.
    await page.focus('.tree-viewport');
    await actAndPaint(page, () => page.keyboard.press('Home'));
    for (let depth = 0; depth < plan.nodes[appendId].depth; depth++) {
      await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    }
    const appendCard = page.locator(`${nodeCard(appendId)}.selected`);
    await actAndPaint(page, () => appendCard.locator('.card-regroup').click());
    assert.equal(await shownCount(page), 14);

    await actAndPaint(page, () => appendCard.locator('.card-toggle').click());
    assert.equal(await shownCount(page), 4);
    assert.equal(await appendCard.locator('.card-toggle').textContent(), '▸ +4k');
    assertClean(incidents);
  });

  it('moves the selection with the arrow keys and shows every field of the node', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan));
    await page.focus('.tree-viewport');

    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), '0');
    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(plan.nodes[0].childIds[0]));
    assert.equal((await rawFields(page)).get('Node Type'), 'Gather Merge');

    // Down to the join, down to its first child (the scan), right to its sibling and back.
    const scanId = firstNodeWhere(plan, (node) => node.relation === 'products');
    while ((await page.getAttribute('.card.selected', 'data-node-id')) !== String(scanId)) {
      await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    }
    await actAndPaint(page, () => page.keyboard.press('ArrowRight'));
    const sibling = plan.nodes[plan.nodes[scanId].parentId!].childIds[1];
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(sibling));
    await actAndPaint(page, () => page.keyboard.press('ArrowLeft'));
    await actAndPaint(page, () => page.keyboard.press('ArrowUp'));
    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(scanId));

    const fields = await rawFields(page);
    assert.equal(fields.get('Node Type'), 'Seq Scan');
    assert.equal(fields.get('Relation Name'), 'products');
    assert.deepEqual([...fields.keys()], Object.keys(plan.nodes[scanId].raw));
    const derived = await page.$$eval('.fields.derived dt', (terms) => terms.map((dt) => dt.textContent));
    for (const label of ['Exclusive time', 'Share of total time', 'Inclusive time', 'Rows, all loops', 'Buffers, this node alone']) {
      assert.ok(derived.includes(label), `details show ${label}`);
    }
    assert.equal(await page.textContent('.details-title'), plan.nodes[scanId].label);
    await screenshot(page, 'details');

    // Escape closes the details and keeps the selection; arrows move on without them; Enter opens them again.
    await actAndPaint(page, () => page.keyboard.press('Escape'));
    assert.equal(await page.locator('.details-pane').isHidden(), true);
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(scanId));
    await actAndPaint(page, () => page.keyboard.press('ArrowUp'));
    assert.equal(await page.locator('.details-pane').isHidden(), true);
    await actAndPaint(page, () => page.keyboard.press('Enter'));
    assert.equal(await page.textContent('.details-title'), plan.nodes[plan.nodes[scanId].parentId!].label);
    await actAndPaint(page, () => page.keyboard.press('Escape'));
    await actAndPaint(page, () => page.keyboard.press(' '));
    assert.equal(await page.locator('.details-pane').isHidden(), false);
    // Shift+Enter folds the selected node; Home goes back to the root.
    await actAndPaint(page, () => page.keyboard.press('Shift+Enter'));
    assert.equal(await page.getAttribute('.card.selected', 'aria-expanded'), 'false');
    await actAndPaint(page, () => page.keyboard.press('Home'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), '0');
    assertClean(incidents);
  });

  it('finds nodes by relation and type, counts them, and opens the group hiding the next match', async () => {
    const plan = loadPlan(PARTITIONS);
    // Wide enough to open fitted, with the group in view.
    const { page, incidents } = await openPage({ width: 2600 });
    await postAndPaint(page, showPlanMessage(plan));

    await actAndPaint(page, () => page.fill('.search-input', 'parallel seq scan'));
    assert.equal(await page.textContent('.match-count'), '4000 matches');
    assert.equal(await page.locator('.card.group.holds-match').count(), 1);

    const appendId = firstNodeWhere(plan, (node) => node.childIds.length > 1000);
    const folded = new PlanIndex(plan).family(appendId).grouped[2500];
    const relation = plan.nodes[folded].relation!;
    await actAndPaint(page, () => page.fill('.search-input', relation));
    assert.equal(await page.textContent('.match-count'), '1 match');

    await actAndPaint(page, () => page.press('.search-input', 'Enter'));
    assert.equal(await shownCount(page), 4004);
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(folded));
    assert.equal(await page.locator('.card.selected.match').count(), 1);
    assert.equal((await rawFields(page)).get('Relation Name'), relation);
    assert.equal(await page.textContent('.match-count'), '1 of 1');
    await screenshot(page, 'search');

    await actAndPaint(page, () => page.fill('.search-input', 'no such relation'));
    assert.equal(await page.textContent('.match-count'), 'No match');
    assertClean(incidents);
  });

  it('keeps the search marks on the tree as laid out after Show all and Group', async () => {
    const plan = loadPlan(PARTITIONS);
    const { page, incidents } = await openPage({ width: 2600 });
    await postAndPaint(page, showPlanMessage(plan));
    const appendId = firstNodeWhere(plan, (node) => node.childIds.length > 1000);
    const { shown, grouped } = new PlanIndex(plan).family(appendId);
    // A partition the family shows, and one folded into its group.
    const visible = plan.nodes[shown[0]].relation!;
    const folded = plan.nodes[grouped[10]].relation!;
    const marks = async () => ({
      matches: await page.locator('.card.match').count(),
      holders: await page.locator('.card.holds-match').count(),
      groupHolds: await page.locator('.card.group.holds-match').count(),
      count: await page.textContent('.match-count'),
    });

    await actAndPaint(page, () => page.fill('.search-input', visible));
    assert.deepEqual(await marks(), { matches: 1, holders: 0, groupHolds: 0, count: '1 match' });
    await actAndPaint(page, () => page.fill('.search-input', folded));
    assert.deepEqual(await marks(), { matches: 0, holders: 1, groupHolds: 1, count: '1 match' });

    // Show all: the group gives way to its members and the match is marked on its own card once in view.
    await actAndPaint(page, () => page.click(`.card.group[data-group-id="${appendId}"] .card-show-all`));
    assert.equal(await shownCount(page), 4004);
    assert.equal(await page.locator('.card.group').count(), 0);
    assert.equal(await page.locator('.card.holds-match').count(), 0);
    await actAndPaint(page, () => page.press('.search-input', 'Enter'));
    assert.equal(await page.getAttribute('.card.selected.match', 'data-node-id'), String(grouped[10]));
    assert.equal(await page.textContent('.match-count'), '1 of 1');

    // Group again (from the family's card, brought into view by the keyboard): the group holds the match again.
    await page.focus('.tree-viewport');
    await actAndPaint(page, () => page.keyboard.press('Home'));
    for (let depth = 0; depth < plan.nodes[appendId].depth; depth++) await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(appendId));
    await actAndPaint(page, () => page.click(`.card[data-node-id="${appendId}"] .card-regroup`));
    // The group sits after the family's shown children: the keyboard brings it into view.
    await page.focus('.tree-viewport');
    await actAndPaint(page, () => page.keyboard.press('ArrowDown'));
    for (let i = 0; i < shown.length; i++) await actAndPaint(page, () => page.keyboard.press('ArrowRight'));
    assert.equal(await page.getAttribute('.card.selected', 'data-group-id'), String(appendId));
    assert.deepEqual(await marks(), { matches: 0, holders: 1, groupHolds: 1, count: '1 match' });

    assertClean(incidents);
  });

  it('marks the matches of a search restored after a reload inside VS Code', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    await postAndPaint(page, showPlanMessage(plan));
    const relation = plan.nodes.find((node) => node.relation !== undefined)!.relation!;
    await actAndPaint(page, () => page.fill('.search-input', relation));
    const matched = await page.locator('.card.match').count();
    const counted = await page.textContent('.match-count');
    assert.ok(matched > 0 && matched < plan.nodes.length, `${matched} cards marked`);

    await page.waitForFunction((text) => JSON.parse(sessionStorage.getItem('state') ?? '{}').searchText === text, relation);
    await page.reload();
    await page.waitForSelector('.card.match');
    assert.equal(await page.inputValue('.search-input'), relation);
    assert.equal(await page.locator('.card.match').count(), matched);
    assert.equal(await page.locator('.card.dimmed').count(), plan.nodes.length - matched);
    assert.equal(await page.textContent('.match-count'), counted);
    assertClean(incidents);
  });

  it('shows markup in plan strings as text and runs none of it', async () => {
    const plan = analyzePlan(hostileExplain());
    const { page, incidents } = await openPage();
    await postAndPaint(page, showPlanMessage(plan, { title: IMG_PAYLOAD, statement: `SELECT '${SCRIPT_PAYLOAD}'`, server: IMG_PAYLOAD }));
    await actAndPaint(page, () => page.click(nodeCard(1)));

    const fields = await rawFields(page);
    assert.equal(fields.get('Relation Name'), IMG_PAYLOAD);
    assert.equal(fields.get('Alias'), SCRIPT_PAYLOAD);
    assert.equal(fields.get('Filter'), `((note = '${IMG_PAYLOAD}'::text) OR (body = '${SCRIPT_PAYLOAD}'::text))`);
    assert.ok(((await page.textContent('.details-pane')) ?? '').includes(IMG_PAYLOAD));
    assert.equal(await page.textContent('.plan-title'), IMG_PAYLOAD);
    assert.match((await page.textContent(`${nodeCard(1)} .card-sub`)) ?? '', /<img src=x onerror=alert\(1\)>/);

    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assertClean(incidents);
  });

  it('restores the plan, view, selection and collapsed nodes after a reload inside VS Code', async () => {
    const plan = loadPlan(SMALL);
    const message = showPlanMessage(plan);
    // VS Code's API as the webview sees it; state survives the reload the way VS Code keeps it.
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    const posted = () => page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    await postAndPaint(page, message);
    const joinId = firstNodeWhere(plan, (node) => node.nodeType === 'Hash Join');
    const scanId = firstNodeWhere(plan, (node) => node.relation === 'products');
    await actAndPaint(page, () => page.click(nodeCard(scanId)));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(scanId));
    assert.deepEqual(await posted(), [{ type: 'ready' }], 'selecting is the page’s own business');
    await actAndPaint(page, () => page.click('.zoom-out'));
    const hashId = firstNodeWhere(plan, (node) => node.nodeType === 'Hash');
    await actAndPaint(page, () => page.click(`${nodeCard(hashId)} .card-toggle`));
    await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').collapsedNodeIds?.length === 1);
    const transform = await page.getAttribute('.tree-world', 'style');

    await page.reload();
    await page.waitForSelector(`${nodeCard(scanId)}.selected`);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.equal(await page.getAttribute('.tree-world', 'style'), transform);
    assert.equal(await page.getAttribute(nodeCard(hashId), 'aria-expanded'), 'false');
    assert.equal((await rawFields(page)).get('Relation Name'), 'products');

    // The host sends the same run again after `ready`: the view stays as it was.
    await postAndPaint(page, message);
    assert.equal(await page.getAttribute('.tree-world', 'style'), transform);
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(scanId));
    assert.ok(await page.locator(nodeCard(joinId)).count());
    assertClean(incidents);
  });

  it('keeps a plan too large for the saved state with the host: the view is saved, the plan asked for again after a reload', async () => {
    const plan = analyzePlan(syntheticExplain(STATE_PLAN_MAX_NODES + 1_000));
    const message = showPlanMessage(plan);
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    const posted = () => page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted);
    await postAndPaint(page, message);
    await actAndPaint(page, () => page.click('.zoom-out'));
    const selected = Number(await page.getAttribute('.card:nth-of-type(2)', 'data-node-id'));
    await actAndPaint(page, () => page.click(nodeCard(selected)));
    await page.waitForFunction((id) => JSON.parse(sessionStorage.getItem('state') ?? '{}').selectedNodeId === id, selected);
    const saved = await page.evaluate(() => sessionStorage.getItem('state') ?? '');
    const state = JSON.parse(saved) as { lastShowPlan?: unknown; heldPlan?: { ranAt: string; nodes: number } };
    assert.equal(state.lastShowPlan, undefined, 'the plan is not in the saved state');
    assert.deepEqual(state.heldPlan, { ranAt: message.meta.ranAt, nodes: plan.nodes.length });
    assert.ok(saved.length < 20_000, `the saved state is small (${saved.length} characters)`);
    const transform = await page.getAttribute('.tree-world', 'style');

    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.length >= 2);
    assert.deepEqual(await posted(), [{ type: 'resendPlan' }, { type: 'ready' }]);
    // The host sends the run again: the saved view applies to it.
    await postAndPaint(page, message);
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(selected));
    assert.equal(await page.getAttribute('.tree-world', 'style'), transform);

    // After another reload the host has another run: the old view does not apply to it.
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.length >= 2);
    await postAndPaint(page, showPlanMessage(plan, { ranAt: new Date(Date.now() + 60_000).toISOString() }));
    assert.equal(await page.locator('.card.selected').count(), 0);
    assert.notEqual(await page.getAttribute('.tree-world', 'style'), transform);
    assertClean(incidents);
  });

  it('copies the plan JSON through the request / reply protocol', async () => {
    const plan = loadPlan(SMALL);
    const { page, incidents } = await openPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await postAndPaint(page, showPlanMessage(plan));
    await page.click('.copy-plan');
    await page.waitForSelector('.toast.visible');
    assert.equal(await page.textContent('.toast'), 'Plan JSON copied');
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Array<{ Plan: { 'Node Type': string } }>;
    assert.equal(copied[0].Plan['Node Type'], 'Limit');
    assert.deepEqual(
      analyzePlan(copied[0] as never).nodes.map((node) => node.label),
      plan.nodes.map((node) => node.label),
    );
    assertClean(incidents);
  });

  it('says what is happening before a plan arrives, while it runs and when it fails', async () => {
    const { page, incidents } = await openPage();
    assert.equal(await page.textContent('.notice'), 'Waiting for a plan…');
    await postAndPaint(page, { type: 'showRunning', statement: 'SELECT 1', startedAt: new Date().toISOString() });
    assert.equal(await page.textContent('.run-state.running .run-title'), 'Running EXPLAIN…');
    await postAndPaint(page, { type: 'showFailed', message: `relation "${IMG_PAYLOAD}" does not exist` });
    assert.equal(await page.textContent('.run-state.failed .run-message'), `relation "${IMG_PAYLOAD}" does not exist`);
    assert.equal(await page.getAttribute('.run-state', 'role'), 'alert');
    // Messages of unknown shape are ignored.
    await page.evaluate(() => window.postMessage({ type: 'showPlan', plan: { nodes: 'x' } }, '*'));
    await postAndPaint(page, showPlanMessage(loadPlan(SMALL)));
    assert.equal(await page.locator('.notice').isHidden(), true);
    assert.equal(await page.locator('.run-state').isHidden(), true);
    assert.equal(await page.locator('img').count(), 0);
    assertClean(incidents);
  });
});
