/**
 * The README's screenshots of the plan view: tree and grid, dark and light, taken with Chromium
 * from the standalone page. `node --import tsx scripts/screenshots.ts [OUT_DIR]` (default media/).
 */
import { join } from 'node:path';
import {
  REPO_ROOT,
  actAndPaint,
  launchChromium,
  loadPlan,
  loadStatement,
  openStandalonePage,
  postAndPaint,
  serveRepository,
  showPlanMessage,
} from '../test/webview/standalone-page';

const PLAN = 'ecommerce-topn-n7.json';
const outDir = process.argv[2] ?? join(REPO_ROOT, 'media');

async function main(): Promise<void> {
  const { buildWebview } = await import('../webview-ui/build.mjs');
  await buildWebview();
  const server = await serveRepository();
  const browser = await launchChromium();
  try {
    const plan = loadPlan(PLAN);
    const hottest = plan.nodes.reduce((a, b) => ((b.exclusiveMs ?? 0) > (a.exclusiveMs ?? 0) ? b : a));
    for (const theme of ['dark', 'light']) {
      for (const view of ['tree', 'grid']) {
        const { page } = await openStandalonePage(browser, server, { theme, width: 1500, height: 760 });
        await postAndPaint(
          page,
          showPlanMessage(plan, { statement: loadStatement(PLAN), title: 'Top 20 active products', durationMs: 61 }),
        );
        if (view === 'grid') {
          await actAndPaint(page, () => page.click('.view-grid'));
        }
        await actAndPaint(page, () =>
          page.click(view === 'grid' ? `.grid-row[data-node-id="${hottest.id}"]` : `.card[data-node-id="${hottest.id}"]`),
        );
        await page.screenshot({ path: join(outDir, `plan-${view}-${theme}.png`) });
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

void main();
