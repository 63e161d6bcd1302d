/**
 * The panel's run states in Chromium: an explain running (statement, parameters, a ticking clock)
 * then its plan; a failure and a cancel keeping the previous plan, marked stale.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { actAndPaint, loadPlan, postAndPaint, showPlanMessage, type PageIncidents, useStandalonePages } from './standalone-page';
import { IMG_PAYLOAD } from './synthetic-plans';

const SMALL = 'ecommerce-topn-n7.json';

function assertClean(incidents: PageIncidents): void {
  assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
}

const elapsedMs = async (page: Page) => {
  const text = (await page.textContent('.run-elapsed')) ?? '';
  const [, value, unit] = /^([\d.]+) (ms|s)$/.exec(text) ?? [];
  assert.ok(value, `elapsed time reads "${text}"`);
  return Number(value) * (unit === 's' ? 1000 : 1);
};

describe('panel states in Chromium', function () {
  const openPage = useStandalonePages();

  it('shows the running statement with its parameters and a ticking elapsed time, then the plan', async () => {
    const { page, incidents } = await openPage();
    const startedAt = new Date(Date.now() - 1500).toISOString();
    await postAndPaint(page, {
      type: 'showRunning',
      statement: 'SELECT *\n  FROM products WHERE id = $1 AND note = $2',
      params: ["it's", null],
      startedAt,
    });
    assert.equal(await page.getAttribute('.run-state', 'role'), 'status');
    assert.equal(await page.textContent('.run-state.running .run-title'), 'Running EXPLAIN…');
    assert.equal(await page.textContent('.run-statement'), 'SELECT * FROM products WHERE id = $1 AND note = $2');
    assert.equal(await page.textContent('.run-params'), "Parameters: $1 = 'it''s', $2 = NULL");
    assert.equal(await page.locator('.notice').isHidden(), true);
    const first = await elapsedMs(page);
    assert.ok(first >= 1500 && first < 10_000, `${first} ms since the start`);
    await page.waitForFunction(
      (before) => {
        const text = document.querySelector('.run-elapsed')?.textContent ?? '';
        return text !== before;
      },
      await page.textContent('.run-elapsed'),
    );
    assert.ok((await elapsedMs(page)) > first, 'the clock ticks');

    await postAndPaint(page, showPlanMessage(loadPlan(SMALL), { params: ["it's", null] }));
    assert.equal(await page.locator('.run-state').isHidden(), true);
    assert.equal(await page.locator('.plan-body.stale').count(), 0);
    assert.equal(await page.textContent('.plan-header .params'), "$1 = 'it''s', $2 = NULL");
    assertClean(incidents);
  });

  it('shows a failure in the panel and keeps the previous plan, marked stale, until the next plan', async () => {
    const { page, incidents } = await openPage();
    const plan = loadPlan(SMALL);
    await postAndPaint(page, showPlanMessage(plan, { ranAt: '2025-11-26T02:31:05.000Z' }));
    await postAndPaint(page, { type: 'showRunning', statement: 'SELECT * FROM nope', startedAt: new Date().toISOString() });
    await postAndPaint(page, {
      type: 'showFailed',
      message: `PostgreSQL rejected the statement: relation "${IMG_PAYLOAD}" does not exist. Fix the statement and explain again.`,
      detail: 'Perhaps you meant to reference the table "products".',
    });
    assert.equal(await page.getAttribute('.run-state.failed', 'role'), 'alert');
    assert.equal(await page.textContent('.run-title'), 'Explain failed');
    assert.match((await page.textContent('.run-message')) ?? '', /relation "<img src=x onerror=alert\(1\)>" does not exist/);
    assert.equal(await page.textContent('.run-detail'), 'Perhaps you meant to reference the table "products".');
    assert.match(
      (await page.textContent('.run-stale-note')) ?? '',
      /^The plan below is stale: it is from the previous run \(2025-11-26 \d\d:\d\d:05\)\.$/,
    );
    // The previous plan is still there to read, and marked.
    assert.equal(await page.locator('.plan-body.stale').count(), 1);
    assert.equal(await page.locator('.top.stale').count(), 1);
    assert.equal(await page.locator('.card').count(), plan.nodes.length);
    const opacity = await page.$eval('.tree-viewport', (element) => Number(getComputedStyle(element).opacity));
    assert.ok(opacity < 1, `the stale tree is dimmed (opacity ${opacity})`);
    assert.equal(await page.locator('img').count(), 0);

    await postAndPaint(page, showPlanMessage(plan, { ranAt: '2025-11-26T02:35:00.000Z' }));
    assert.equal(await page.locator('.plan-body.stale').count(), 0);
    assert.equal(await page.locator('.run-state').isHidden(), true);
    assertClean(incidents);
  });

  it('says a cancelled explain was cancelled, with the previous plan stale, or alone without one', async () => {
    const { page, incidents } = await openPage();
    await postAndPaint(page, { type: 'showRunning', statement: 'SELECT pg_sleep(10)', startedAt: new Date().toISOString() });
    await postAndPaint(page, { type: 'showCancelled', message: 'The statement was stopped on the server.' });
    assert.equal(await page.textContent('.run-state.cancelled .run-title'), 'Explain cancelled');
    assert.equal(await page.textContent('.run-message'), 'The statement was stopped on the server.');
    assert.equal(await page.locator('.run-stale-note').count(), 0);
    assert.equal(await page.textContent('.notice'), 'Cancelled. Explain a statement to see its plan.');

    await postAndPaint(page, showPlanMessage(loadPlan(SMALL)));
    await postAndPaint(page, { type: 'showRunning', statement: 'SELECT pg_sleep(10)', startedAt: new Date().toISOString() });
    await postAndPaint(page, { type: 'showCancelled' });
    assert.equal(await page.locator('.run-state.cancelled').count(), 1);
    assert.equal(await page.locator('.plan-body.stale').count(), 1);
    assert.equal(await page.locator('.notice').isHidden(), true);
    // The stale plan still answers clicks.
    await actAndPaint(page, () => page.click('.card[data-node-id="0"]'));
    assert.equal(await page.getAttribute('.card.selected', 'data-node-id'), '0');
    assertClean(incidents);
  });
});
