/**
 * Two plans of one statement from the plan history, compared in the plan webview in headless
 * Chromium: the numbers, the nodes that appeared, disappeared or changed method, and both outlines
 * with those nodes marked. The plans are the same statement captured from PostgreSQL 15 with a
 * nested loop (hash and merge joins disabled) and as the planner joins it freely (a hash join).
 */
import * as assert from 'node:assert/strict';
import { isHostToWebview, type ShowComparisonMessage } from '../../src/protocol';
import { loadPg15Plan, loadPg15Statement } from './sample-advice';
import { actAndPaint, postAndPaint, showPlanMessage, useStandalonePages } from './standalone-page';
import { SCRIPT_PAYLOAD } from './synthetic-plans';

function historyComparison(statement = loadPg15Statement('nested-loop-many-loops')): ShowComparisonMessage {
  const meta = (ranAt: string) => ({ statement, server: 'PostgreSQL 15.18 · shop', ranAt, mode: 'analyze' as const });
  return {
    type: 'showComparison',
    before: { plan: loadPg15Plan('nested-loop-many-loops'), meta: meta('2026-12-05T09:00:00.000Z') },
    after: { plan: loadPg15Plan('nested-loop-many-loops-hash'), meta: meta('2026-12-05T09:05:00.000Z') },
  };
}

describe('plan history comparison in the plan webview, in Chromium', function () {
  const openPage = useStandalonePages();

  it('shows two stored plans side by side: numbers, appeared, disappeared and changed nodes', async () => {
    const { page, incidents } = await openPage({ width: 1400, height: 900 });
    const message = historyComparison();
    assert.ok(isHostToWebview(message), 'a comparison without an index is a valid message');
    await postAndPaint(page, showPlanMessage(message.after.plan, message.after.meta));
    await postAndPaint(page, message);

    assert.equal(await page.locator('.comparison').isVisible(), true);
    assert.equal(await page.textContent('.comparison-title'), 'Two plans of this statement');
    assert.equal(await page.textContent('.comparison-statement'), message.after.meta.statement);
    assert.equal(await page.locator('.comparison-ddl').count(), 0);
    assert.equal(await page.textContent('.time .tile-value'), '1.12 ms → 1.33 ms');
    assert.equal(await page.textContent('.time .tile-note'), '1.2× slower');
    assert.equal(await page.textContent('.cost .tile-value'), '899 → 428 (−52%)');
    assert.equal(await page.textContent('.buffers .tile-value'), '6,013 → 141 blocks');
    assert.equal(await page.textContent('.buffers .tile-note'), '6,013 hit, 0 read → 141 hit, 0 read');

    const changes = await page.$$eval('.node-change', (items) =>
      items.map((item) => ({ kind: item.classList[1], text: item.textContent })),
    );
    assert.deepEqual(changes, [
      { kind: 'replaced', text: 'Index Scan using orders_customer_id_idx on orders o → Seq Scan on orders o' },
      { kind: 'removed', text: '−Nested Loop' },
      { kind: 'added', text: '+Hash Join' },
      { kind: 'added', text: '+Hash' },
    ]);
    assert.deepEqual(await page.$$eval('.side-title', (titles) => titles.map((title) => title.textContent)), ['Earlier', 'Later']);
    const marked = (side: string, mark: string) =>
      page.$$eval(`.comparison-side.${side} .outline-row.${mark}`, (rows) =>
        rows.map((row) => ({ id: Number((row as HTMLElement).dataset.nodeId), title: row.getAttribute('title') })),
      );
    assert.deepEqual(await marked('before', 'removed'), [
      { id: 0, title: 'Not in the later plan' },
      { id: 2, title: 'Not in the later plan' },
    ]);
    assert.deepEqual(await marked('after', 'added'), [
      { id: 0, title: 'New in the later plan' },
      { id: 1, title: 'New in the later plan' },
      { id: 2, title: 'New in the later plan' },
    ]);
    // The customers scan is in both plans, unmarked on both sides.
    const unmarked = (side: string) =>
      page.$$eval(`.comparison-side.${side} .outline-row:not(.removed):not(.added) .outline-name`, (names) =>
        names.map((name) => name.textContent),
      );
    assert.deepEqual(await unmarked('before'), ['Seq Scan on customers c']);
    assert.deepEqual(await unmarked('after'), ['Seq Scan on customers c']);

    await actAndPaint(page, () => page.click('.comparison-back'));
    assert.equal(await page.locator('.comparison').isHidden(), true);
    await page.waitForFunction((count) => document.querySelectorAll('.card').length === count, message.after.plan.nodes.length);
    assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
  });

  it('renders a stored statement as text', async () => {
    const { page, incidents } = await openPage({ width: 1200, height: 800 });
    const message = historyComparison(`SELECT 1 /* ${SCRIPT_PAYLOAD} */`);
    await postAndPaint(page, message);
    assert.equal(await page.textContent('.comparison-statement'), message.after.meta.statement);
    assert.equal(await page.locator('script').count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
  });
});
