/**
 * Plan Lens's advice in the plan webview, in headless Chromium: badges on the cards, the findings
 * bar, findings and index suggestions in the details pane with their actions, and the before/after
 * comparison. Plans are captured PostgreSQL 15 plans; the advice is written for them by hand.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PlanAdvice } from '../../src/core/advice/advice-model';
import type { IndexCreationMessage, ShowComparisonMessage, WebviewToHost } from '../../src/protocol';
import { IMG_PAYLOAD, SCRIPT_PAYLOAD, syntheticExplain } from './synthetic-plans';
import { analyzePlan } from '../../src/core/plan';
import { planAdvice } from '../../src/core/advice/finding-ranking';
import { evaluateRules } from '../../src/core/advice/rules';
import { FINDINGS_PAGE } from '../../webview-ui/src/findings-bar';
import { plural } from '../../webview-ui/src/advice-text';
import { TOPN, loadPg15Plan, loadPg15Statement, topnAdvice, topnFindings, topnSuggestion } from './sample-advice';
import {
  REPO_ROOT,
  actAndPaint,
  postAndPaint,
  showPlanMessage,
  type PageIncidents,
  useStandalonePages,
  withVsCodeApi,
} from './standalone-page';
import { PlanIndex } from '../../webview-ui/src/visible-tree';

const RESULTS_DIR = join(REPO_ROOT, 'test-results');

function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return page.screenshot({ path: join(RESULTS_DIR, `webview-${name}.png`) });
}

function assertClean(incidents: PageIncidents): void {
  assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
}

const nodeCard = (id: number) => `.card[data-node-id="${id}"]`;

/** Collects what the page posts to the host: the standalone bridge announces each message as an event. */
async function capturePosts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const posted: unknown[] = [];
    (window as unknown as { __posted: unknown[] }).__posted = posted;
    window.addEventListener('planlens:post', (event) => posted.push((event as CustomEvent).detail));
  });
}

function posted(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
}

/** Waits until the page has posted a message of `type`, and returns the last such. */
async function postedOfType<T extends WebviewToHost['type']>(page: Page, type: T): Promise<Extract<WebviewToHost, { type: T }>> {
  await page.waitForFunction(
    (wanted) => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === wanted),
    type,
  );
  return (await posted(page)).filter((message) => message.type === type).at(-1) as Extract<WebviewToHost, { type: T }>;
}

/** The top-N plan, with `advice` or (like a host still working on it) without. */
function topnShowPlan(advice?: PlanAdvice) {
  const message = showPlanMessage(loadPg15Plan(TOPN.plan), { statement: loadPg15Statement(TOPN.plan), title: 'Top 20 active products' });
  return advice ? { ...message, advice } : message;
}

function comparisonMessage(): ShowComparisonMessage {
  const meta = (ranAt: string) => ({
    statement: loadPg15Statement(TOPN.plan),
    server: 'postgres@127.0.0.1:5432/shop',
    ranAt,
    mode: 'analyze' as const,
  });
  return {
    type: 'showComparison',
    index: topnSuggestion(),
    before: { plan: loadPg15Plan(TOPN.plan), meta: meta('2025-11-26T02:31:05.000Z') },
    after: { plan: loadPg15Plan(TOPN.indexedPlan), meta: meta('2025-11-26T02:33:41.000Z') },
  };
}

describe('advice in the plan webview, in Chromium', function () {
  const openPage = useStandalonePages((options) => ({
    ...options,
    beforeLoad: async (page) => {
      await capturePosts(page);
      await options.beforeLoad?.(page);
    },
  }));

  it('badges the cards of nodes with findings by count and highest severity', async () => {
    for (const theme of ['dark', 'light']) {
      const { page, incidents } = await openPage({ theme, width: 1500 });
      await postAndPaint(page, topnShowPlan(topnAdvice()));

      const badges = await page.$$eval('.card .finding-badge', (elements) =>
        elements.map((badge) => ({
          node: Number(badge.closest<HTMLElement>('.card')!.dataset.nodeId),
          severity: badge.getAttribute('data-severity'),
          count: badge.textContent,
        })),
      );
      assert.deepEqual(
        badges.sort((a, b) => a.node - b.node),
        [
          { node: TOPN.gatherMergeId, severity: 'info', count: '1' },
          { node: TOPN.sortId, severity: 'warning', count: '1' },
          { node: TOPN.productsScanId, severity: 'critical', count: '1' },
        ],
      );
      assert.equal(await page.getAttribute(`${nodeCard(TOPN.productsScanId)} .finding-badge`, 'title'), '1 finding: 1 critical');
      // The colours are VS Code's error, warning and info foregrounds.
      const colours = await page.$$eval(
        '.card .finding-badge',
        (elements) => new Set(elements.map((badge) => getComputedStyle(badge).color)).size,
      );
      assert.equal(colours, 3);
      // The badge fits on the card: the title is not cut short for it.
      const title = page.locator(`${nodeCard(TOPN.productsScanId)} .card-title`);
      assert.equal(await title.evaluate((element) => element.scrollWidth <= element.clientWidth), true);
      await screenshot(page, `advice-badges-${theme}`);
      assertClean(incidents);
      await page.close();
    }
  });

  it('counts the findings a folded group or a collapsed node hides on its card', async () => {
    const plan = loadPg15Plan('partitions-100-n104');
    const appendId = plan.nodes.find((node) => node.childIds.length > 50)!.id;
    const folded = new PlanIndex(plan).family(appendId).grouped;
    const finding = topnFindings()[1];
    const advice: PlanAdvice = {
      findings: [
        {
          ...finding,
          nodeId: folded[3],
          nodeIds: [folded[3]],
          title: `${plan.nodes[folded[3]].label} on ${plan.nodes[folded[3]].relation} reads every row`,
        },
        { ...topnFindings()[2], nodeId: folded[40], nodeIds: [folded[40]], title: 'A warning on another folded partition' },
      ],
      suggestions: [],
    };
    const { page, incidents } = await openPage({ width: 2600 });
    await postAndPaint(page, { ...showPlanMessage(plan), advice });

    const groupBadge = page.locator(`.card.group[data-group-id="${appendId}"] .finding-badge`);
    assert.equal(await groupBadge.getAttribute('data-severity'), 'critical');
    assert.equal(await groupBadge.textContent(), '2');
    assert.match((await groupBadge.getAttribute('title')) ?? '', /^2 findings: 1 critical, 1 warning, on nodes folded into this card$/);
    await screenshot(page, 'advice-group');

    // Collapsing the parent moves the badge up to it.
    await actAndPaint(page, () => page.click(`${nodeCard(appendId)} .card-toggle`));
    assert.equal(await page.textContent(`${nodeCard(appendId)} .finding-badge`), '2');
    assertClean(incidents);
  });

  it('a 50,000-node plan with thousands of findings: headline, fix first, one page of the list, more on demand', async function () {
    // Building and painting 50,000 nodes takes seconds; on a busy machine, many.
    this.timeout(600_000);
    const plan = analyzePlan(syntheticExplain(50_000));
    const advice = planAdvice(plan, evaluateRules(plan), 100);
    assert.ok(advice.findings.length > 3 * FINDINGS_PAGE, `${advice.findings.length} findings`);
    const grouped = advice.findings.find((f) => f.nodeIds.length > 100)!;
    assert.ok(grouped, 'the partition scans make one finding');
    const { page, incidents } = await openPage();
    const paintMs = await postAndPaint(page, { ...showPlanMessage(plan), advice });
    console.log(`      painted 50,000 nodes with ${advice.findings.length} findings in ${paintMs.toFixed(0)} ms`);

    assert.equal(await page.textContent('.findings-headline'), advice.headline!.text);
    assert.equal(await page.getAttribute('.findings-headline', 'data-status'), advice.headline!.status);
    assert.equal(await page.isVisible('.fix-first'), advice.fixFirst !== undefined);
    assert.equal(await page.textContent('.findings-count'), plural(advice.findings.length, 'finding'));
    assert.equal(await page.locator('.finding-entry').count(), FINDINGS_PAGE);
    const titles = await page.$$eval('.finding-entry-title', (elements) => elements.map((e) => e.textContent));
    assert.deepEqual(
      titles,
      advice.findings.slice(0, FINDINGS_PAGE).map((f) => f.title),
    );
    const groupEntry = page.locator('.finding-entry', { hasText: grouped.title }).first();
    if ((await groupEntry.count()) > 0)
      assert.match(await groupEntry.locator('.finding-where').innerText(), new RegExp(`\\+${grouped.nodeIds.length - 1} nodes`));

    const rest = advice.findings.length - FINDINGS_PAGE;
    assert.equal((await page.textContent('.findings-more'))!.trim(), `Show ${FINDINGS_PAGE} more of ${plural(rest, 'finding')}`);
    await page.click('.findings-more');
    assert.equal(await page.locator('.finding-entry').count(), 2 * FINDINGS_PAGE);
    assertClean(incidents);
  });

  it('lists the findings by impact; a click selects and reveals the node, a plan-wide one shows its details', async () => {
    const { page, incidents } = await openPage();
    await postAndPaint(page, topnShowPlan(topnAdvice()));

    assert.equal(await page.textContent('.findings-count'), '4 findings');
    assert.equal(await page.textContent('.suggestions-link'), '1 index suggestion');
    const entries = await page.$$eval('.finding-entry', (elements) =>
      elements.map((entry) => [
        entry.querySelector('.finding-entry-title')!.textContent,
        entry.querySelector('.finding-impact')!.textContent,
      ]),
    );
    const byImpact = [...topnFindings()].sort((a, b) => b.impactMs - a.impactMs);
    assert.deepEqual(
      entries.map(([title]) => title),
      byImpact.map((finding) => finding.title),
    );
    assert.deepEqual(
      entries.map(([, impact]) => impact),
      ['~33.1 ms', '~19.9 ms', '~12.8 ms', '~2.40 ms'],
    );

    // The scan's subtree is collapsed: the click opens it, selects the scan and shows it.
    await actAndPaint(page, () => page.click(`${nodeCard(3)} .card-toggle`));
    assert.equal(await page.locator(nodeCard(TOPN.productsScanId)).count(), 0);
    await actAndPaint(page, () => page.locator('.finding-entry').nth(1).click());
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(TOPN.productsScanId));
    assert.equal(await page.textContent('.details-title'), 'Parallel Seq Scan');
    assert.equal(await page.locator('.finding-entry.current').count(), 1);
    const inView = await page.locator('.card.selected').evaluate((card) => {
      const box = card.getBoundingClientRect();
      const viewport = document.querySelector('.tree-viewport')!.getBoundingClientRect();
      return box.left >= viewport.left && box.right <= viewport.right && box.top >= viewport.top && box.bottom <= viewport.bottom;
    });
    assert.equal(inView, true, 'the selected card is scrolled into view');

    // Its finding and the suggestion for it lead the details pane.
    const scanFinding = topnFindings()[1];
    const sections = await page.$$eval('.details-section h3', (headings) => headings.map((h) => h.textContent));
    assert.deepEqual(sections, ['Findings', 'Index suggestions', 'Plan Lens', 'EXPLAIN output']);
    assert.equal(await page.textContent('.details-pane .finding-title'), scanFinding.title);
    assert.equal(await page.textContent('.details-pane .finding-explanation'), scanFinding.explanation);
    assert.equal(await page.textContent('.details-pane .finding-fix'), `Fix${scanFinding.fix}`);
    assert.equal(await page.textContent('.suggestion-ddl'), topnSuggestion().ddl);
    assert.deepEqual(await page.$$eval('.kind-tag', (tags) => tags.map((tag) => tag.textContent)), ['compound', 'partial']);
    assert.equal(await page.textContent('.suggestion-verification'), 'Verified with HypoPG: cost 12,345 → 210 (−98%), planner uses it');
    await screenshot(page, 'advice-details');

    // A plan-wide finding selects nothing and shows itself.
    await actAndPaint(page, () => page.locator('.finding-entry').nth(0).click());
    assert.equal(await page.locator('.card.selected').count(), 0);
    assert.equal(await page.textContent('.details-title'), 'Plan-wide finding');
    assert.equal(await page.textContent('.details-pane .finding-explanation'), byImpact[0].explanation);
    assert.equal(await page.getAttribute('.finding-entry.current', 'data-node-id'), '');

    // The list folds to one line that still names the largest finding.
    await page.click('.findings-toggle');
    assert.equal(await page.locator('.findings-list').isHidden(), true);
    assert.equal(await page.textContent('.findings-teaser'), byImpact[0].title);
    await screenshot(page, 'advice-plan-wide');
    assertClean(incidents);
  });

  it('lists every index suggestion from the findings bar, each leading to its nodes', async () => {
    const { page, incidents } = await openPage();
    await postAndPaint(page, topnShowPlan(topnAdvice()));
    await actAndPaint(page, () => page.click('.suggestions-link'));
    assert.equal(await page.textContent('.details-title'), 'Index suggestions');
    assert.equal(await page.locator('.details-pane .suggestion').count(), 1);
    assert.deepEqual(await page.$$eval('.suggestion .node-link', (links) => links.map((link) => link.textContent)), [
      '#4 Parallel Seq Scan on products p',
      '#2 Sort',
    ]);
    await screenshot(page, 'advice-suggestions');
    await actAndPaint(page, () => page.click('.suggestion .node-link >> nth=1'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(TOPN.sortId));
    assert.equal(await page.textContent('.details-title'), 'Sort');
    assertClean(incidents);
  });

  it('copies the DDL and asks to insert it through the request / reply protocol', async () => {
    const { page, incidents } = await openPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await postAndPaint(page, topnShowPlan(topnAdvice()));
    await actAndPaint(page, () => page.click(nodeCard(TOPN.productsScanId)));

    await page.click('.copy-ddl');
    const copy = await postedOfType(page, 'copyDdl');
    assert.equal(copy.suggestionId, TOPN.suggestionId);
    assert.ok(Number.isSafeInteger(copy.id));
    await page.waitForSelector('.toast.visible');
    assert.equal(await page.textContent('.toast'), 'CREATE INDEX copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), topnSuggestion().ddl);

    // The standalone page has no editor; inside VS Code the host inserts it.
    await page.click('.insert-ddl');
    const insert = await postedOfType(page, 'insertDdl');
    assert.equal(insert.suggestionId, TOPN.suggestionId);
    await page.waitForSelector('.toast.visible.error');
    assert.match((await page.textContent('.toast')) ?? '', /no editor/);
    assertClean(incidents);
  });

  it('creates an index: posts createIndex, shows the progress with Cancel, then how it ended', async () => {
    const { page, incidents } = await openPage();
    await postAndPaint(page, topnShowPlan(topnAdvice()));
    await actAndPaint(page, () => page.click(nodeCard(TOPN.sortId)));
    const card = page.locator(`.details-pane .suggestion[data-suggestion-id="${TOPN.suggestionId}"]`);
    assert.equal(await card.locator('.creation').isHidden(), true);

    await card.locator('.create-index').click();
    assert.deepEqual(await postedOfType(page, 'createIndex'), { type: 'createIndex', suggestionId: TOPN.suggestionId });

    const progress = (state: IndexCreationMessage['state'], message: string): IndexCreationMessage => ({
      type: 'indexCreation',
      suggestionId: TOPN.suggestionId,
      state,
      message,
    });
    await postAndPaint(page, progress('running', `Creating ${TOPN.suggestionId} (CONCURRENTLY)…`));
    assert.equal(await card.locator('.creation.running .spinner').count(), 1);
    assert.equal(await card.locator('.creation-message').textContent(), `Creating ${TOPN.suggestionId} (CONCURRENTLY)…`);
    assert.equal(await card.locator('.create-index').isDisabled(), true);
    await card.locator('.creation').scrollIntoViewIfNeeded();
    await screenshot(page, 'advice-creating');

    await card.locator('.cancel-creation').click();
    assert.deepEqual(await postedOfType(page, 'cancelIndexCreation'), { type: 'cancelIndexCreation', suggestionId: TOPN.suggestionId });
    await postAndPaint(page, progress('cancelled', 'Cancelled: the index was not created.'));
    assert.equal(await card.locator('.creation.cancelled .creation-message').textContent(), 'Cancelled: the index was not created.');
    assert.equal(await card.locator('.create-index').isEnabled(), true);

    // Progress follows the suggestion to wherever the pane shows it again.
    await postAndPaint(page, progress('running', `Creating ${TOPN.suggestionId} (CONCURRENTLY)…`));
    await actAndPaint(page, () => page.click(nodeCard(TOPN.productsScanId)));
    assert.equal(await card.locator('.creation.running .cancel-creation').count(), 1);
    await postAndPaint(page, progress('done', `Created ${TOPN.suggestionId} in 1.8 s.`));
    assert.equal(await card.locator('.creation.done .creation-message').textContent(), `Created ${TOPN.suggestionId} in 1.8 s.`);
    assert.equal(await card.locator('.cancel-creation').count(), 0);
    assert.equal(await card.locator('.create-index').isHidden(), true);
    await card.locator('.creation').scrollIntoViewIfNeeded();
    await screenshot(page, 'advice-created');

    await postAndPaint(page, progress('failed', 'ERROR: permission denied for table products'));
    assert.equal(await card.locator('.creation.failed .creation-message').textContent(), 'ERROR: permission denied for table products');
    assert.equal(await card.locator('.create-index').isEnabled(), true);
    assertClean(incidents);
  });

  it('takes advice that arrives after the plan without moving the view', async () => {
    const { page, incidents } = await openPage();
    await postAndPaint(page, topnShowPlan());
    assert.equal(await page.locator('.findings-bar').isHidden(), true);
    assert.equal(await page.locator('.finding-badge').count(), 0);
    await actAndPaint(page, () => page.click(nodeCard(TOPN.productsScanId)));
    const transform = await page.getAttribute('.tree-world', 'style');

    await postAndPaint(page, { type: 'showAdvice', advice: topnAdvice() });
    assert.equal(await page.locator('.findings-bar').isVisible(), true);
    assert.equal(await page.locator('.finding-badge').count(), 3);
    assert.equal(await page.getAttribute('.tree-world', 'style'), transform);
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), String(TOPN.productsScanId));
    assert.equal(await page.textContent('.details-pane .finding-title'), topnFindings()[1].title);

    // Advice that finds nothing says so.
    await postAndPaint(page, { type: 'showAdvice', advice: { findings: [], suggestions: [] } });
    assert.equal(await page.textContent('.findings-count'), 'No findings');
    assert.equal(await page.locator('.finding-badge').count(), 0);
    assert.equal(await page.locator('.details-pane .finding').count(), 0);
    assertClean(incidents);
  });

  it('shows markup in findings and suggestions as text and runs none of it', async () => {
    const hostile = topnAdvice();
    hostile.findings[1] = {
      ...hostile.findings[1],
      title: `Seq Scan on ${IMG_PAYLOAD}`,
      explanation: `Filter (note = '${SCRIPT_PAYLOAD}')`,
      fix: `Create an index on ${IMG_PAYLOAD}`,
    };
    hostile.suggestions[0] = topnSuggestion({
      name: IMG_PAYLOAD,
      ddl: `CREATE INDEX ON products ((note = '${IMG_PAYLOAD}'));`,
      reason: SCRIPT_PAYLOAD,
      kinds: [IMG_PAYLOAD as never],
      verification: { method: 'unverified', note: `HypoPG is not installed ${IMG_PAYLOAD}` },
    });
    const { page, incidents } = await openPage();
    await postAndPaint(page, topnShowPlan(hostile));
    await actAndPaint(page, () => page.click(nodeCard(TOPN.productsScanId)));

    assert.equal(await page.textContent('.details-pane .finding-title'), `Seq Scan on ${IMG_PAYLOAD}`);
    assert.equal(await page.textContent('.details-pane .finding-explanation'), `Filter (note = '${SCRIPT_PAYLOAD}')`);
    assert.equal(await page.textContent('.suggestion-name'), IMG_PAYLOAD);
    assert.equal(await page.textContent('.suggestion-ddl'), `CREATE INDEX ON products ((note = '${IMG_PAYLOAD}'));`);
    assert.equal(await page.textContent('.suggestion-reason'), SCRIPT_PAYLOAD);
    assert.equal(await page.textContent('.suggestion-verification'), `Unverified: HypoPG is not installed ${IMG_PAYLOAD}`);
    assert.ok(((await page.textContent('.findings-list')) ?? '').includes(IMG_PAYLOAD));

    await actAndPaint(page, () => page.click('.suggestions-link'));
    await postAndPaint(page, { ...comparisonMessage(), index: hostile.suggestions[0] });
    assert.equal(await page.textContent('.comparison-ddl'), hostile.suggestions[0].ddl);
    assert.equal(await page.textContent('.comparison-title'), `Before and after ${IMG_PAYLOAD}`);

    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assertClean(incidents);
  });

  it('compares the plan before and after the index side by side, and goes back to the plan after', async () => {
    const { page, incidents } = await openPage({ width: 1400, height: 900 });
    await postAndPaint(page, topnShowPlan(topnAdvice()));
    const message = comparisonMessage();
    await postAndPaint(page, message);

    assert.equal(await page.locator('.plan-body').isHidden(), true);
    assert.equal(await page.locator('.comparison').isVisible(), true);
    assert.equal(await page.textContent('.time .tile-value'), '53.1 ms → 0.155 ms');
    assert.equal(await page.textContent('.time .tile-note'), '343× faster');
    assert.equal(await page.textContent('.cost .tile-value'), '6,623 → 5.28 (−99.9%)');
    const changes = await page.$$eval('.node-change', (items) => items.map((item) => item.textContent));
    assert.equal(changes[0], 'Parallel Seq Scan on products p → Index Scan Backward using products_created_at_idx on products p');
    assert.ok(changes.includes('−Sort'), changes.join('\n'));
    assert.ok(changes.includes('+Memoize'), changes.join('\n'));
    assert.deepEqual(await page.$$eval('.side-title', (titles) => titles.map((title) => title.textContent)), ['Before', 'After']);
    assert.equal(await page.locator('.comparison-side.before .outline-row').count(), message.before.plan.nodes.length);
    assert.equal(await page.locator('.comparison-side.after .outline-row').count(), message.after.plan.nodes.length);
    assert.equal(await page.locator(`.comparison-side.before .outline-row.removed[data-node-id="${TOPN.productsScanId}"]`).count(), 1);
    // Side by side: the two columns share a row.
    const [before, after] = await page.$$eval('.comparison-side', (sides) =>
      sides.map((side) => side.getBoundingClientRect().toJSON() as DOMRect),
    );
    assert.equal(before.top, after.top);
    assert.ok(after.left >= before.right);
    await screenshot(page, 'comparison');

    await actAndPaint(page, () => page.click('.comparison-back'));
    assert.equal(await page.locator('.comparison').isHidden(), true);
    // The tree was hidden behind the comparison: its cards come back once the browser has sized
    // the viewport again, which can be a frame after the paint mark.
    await page.waitForFunction((count) => document.querySelectorAll('.card').length === count, message.after.plan.nodes.length);
    assert.equal(await page.textContent(`${nodeCard(2)} .card-title`), 'Index Scan Backward');
    // The plan after has no advice yet: the advice of the plan before does not carry over.
    assert.equal(await page.locator('.findings-bar').isHidden(), true);
    assertClean(incidents);
  });

  it('keeps the advice and the comparison through a reload inside VS Code', async () => {
    const { page, incidents } = await openPage({ beforeLoad: withVsCodeApi });
    await postAndPaint(page, topnShowPlan());
    await postAndPaint(page, { type: 'showAdvice', advice: topnAdvice() });
    await actAndPaint(page, () => page.click(nodeCard(TOPN.productsScanId)));
    await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('state') ?? '{}').selectedNodeId !== undefined);

    await page.reload();
    await page.waitForSelector(`${nodeCard(TOPN.productsScanId)}.selected .finding-badge.critical`);
    assert.equal(await page.textContent('.findings-count'), '4 findings');
    assert.equal(await page.textContent('.suggestion-ddl'), topnSuggestion().ddl);

    await postAndPaint(page, comparisonMessage());
    await page.reload();
    await page.waitForSelector('.comparison:not([hidden])');
    assert.equal(await page.textContent('.time .tile-note'), '343× faster');
    await actAndPaint(page, () => page.click('.comparison-back'));
    assert.equal(await page.textContent(`${nodeCard(2)} .card-title`), 'Index Scan Backward');
    assertClean(incidents);
  });
});
