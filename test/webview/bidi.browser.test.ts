/**
 * Bidi controls in plan and statement text (an unclosed U+202E RIGHT-TO-LEFT OVERRIDE) stay inside
 * their own element in the real browser: the text of the element after it reads left to right.
 */
import * as assert from 'node:assert/strict';
import { loadPlan, postAndPaint, showPlanMessage, useStandalonePages } from './standalone-page';

describe('bidi isolation in the plan webview (Chromium)', function () {
  const openPage = useStandalonePages();

  it('an unclosed right-to-left override in the statement or a node title reorders nothing around it', async () => {
    const plan = loadPlan('ecommerce-topn-n7.json');
    plan.nodes[0]!.label = 'Limit \u202Eevil';
    const { page } = await openPage({ theme: 'dark' });
    await postAndPaint(page, showPlanMessage(plan, { statement: 'SELECT 1 \u202E -- reversed', title: 'Bidi' }));
    for (const selector of ['.statement-text', '.card-title']) {
      const bidi = await page.$eval(selector, (element) => getComputedStyle(element).unicodeBidi);
      assert.equal(bidi, 'isolate', selector);
    }
    // The card's subtitle, right after the hostile title, still starts at the card's left edge.
    const [title, sub] = await Promise.all([
      page.locator('.card-title').first().boundingBox(),
      page.locator('.card-sub').first().boundingBox(),
    ]);
    assert.ok(title && sub && Math.abs(title.x - sub.x) < 20, `${JSON.stringify(title)} ${JSON.stringify(sub)}`);
    await page.close();
  });
});
