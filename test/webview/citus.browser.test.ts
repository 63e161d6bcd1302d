/**
 * A Citus distributed plan in Chromium: the task and its remote plan drawn as cards under the
 * Custom Scan, marked remote, and as grid rows in plan order; the details name the worker.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import { REPO_ROOT, actAndPaint, postAndPaint, showPlanMessage, useStandalonePages } from './standalone-page';

const CITUS = join(REPO_ROOT, 'test', 'fixtures', 'plans', 'citus');

describe('a Citus plan in Chromium: tasks and remote plans as nodes', function () {
  const openPage = useStandalonePages();

  for (const file of ['pending-orders-one-of-32.json', 'pending-orders-one-of-32.txt']) {
    it(`draws the task and its remote plan under the Custom Scan, marked remote, in the tree and the grid (${file})`, async () => {
      const plan = analyzePlan(parseExplainJson(readFileSync(join(CITUS, file), 'utf8')));
      const { page, incidents } = await openPage({ width: 1400, height: 900 });
      await postAndPaint(page, showPlanMessage(plan));

      const card = (id: number) => `.card[data-node-id="${id}"]`;
      assert.equal(await page.locator('.card[data-node-id]').count(), 5, 'every node, remote ones included, has a card');
      assert.equal(await page.textContent(`${card(1)} .card-title`), 'Custom Scan (Citus Adaptive)');
      assert.match((await page.textContent(`${card(1)} .card-sub`)) ?? '', /^1 of 32 tasks shown/);
      assert.equal(await page.textContent(`${card(2)} .card-title`), 'Task on localhost:9701 postgres');
      assert.equal(await page.getAttribute(card(2), 'aria-level'), '3', 'the task hangs under the scan');
      assert.equal(await page.getAttribute(card(4), 'aria-level'), '5', 'the remote Seq Scan under the remote Aggregate');
      assert.match((await page.textContent(`${card(4)} .card-sub`)) ?? '', /on orders_102008 orders/);
      assert.equal(await page.textContent(`${card(4)} .time-text`), '30.5 ms · 63%');
      assert.equal(await page.textContent(`${card(1)} .time-text`), '17.2 ms · 35%', 'the scan without the task it waited for');

      const badged = await page.$$eval('.card[data-node-id]:has(.remote-badge)', (cards) =>
        cards.map((c) => Number((c as HTMLElement).dataset.nodeId)).sort(),
      );
      assert.deepEqual(badged, [2, 3, 4]);
      assert.equal(await page.textContent(`${card(3)} .remote-badge`), 'remote');
      assert.equal(
        await page.getAttribute(`${card(3)} .remote-badge`, 'title'),
        'Ran on the Citus worker host=localhost port=9701 dbname=postgres',
      );
      assert.match(
        (await page.getAttribute(card(2), 'title')) ?? '',
        /\nRan on the Citus worker host=localhost port=9701 dbname=postgres\n/,
      );
      const overflowing = await page.$$eval('.card[data-node-id] .card-sub', (subs) =>
        subs.filter((sub) => sub.scrollWidth > sub.clientWidth + 1).map((sub) => sub.textContent),
      );
      assert.deepEqual(overflowing, [], 'the badge is measured with the subtitle: nothing cut');

      await actAndPaint(page, () => page.click(card(2)));
      await page.waitForSelector('.details-pane dd');
      assert.match((await page.textContent('.details-pane')) ?? '', /Ran on the Citus worker host=localhost port=9701 dbname=postgres/);

      await actAndPaint(page, () => page.click('.view-grid'));
      const rows = await page.$$eval('.grid-rows .grid-row', (elements) =>
        elements
          .map((row) => ({
            id: Number((row as HTMLElement).dataset.nodeId),
            at: Number(row.getAttribute('aria-rowindex')),
            remote: row.querySelector('.remote-badge') !== null,
            name: row.querySelector('.grid-node-name')?.textContent,
          }))
          .sort((a, b) => a.at - b.at),
      );
      assert.deepEqual(
        rows.map((row) => [row.id, row.remote, row.name]),
        [
          [0, false, 'Aggregate'],
          [1, false, 'Custom Scan (Citus Adaptive)'],
          [2, true, 'Task on localhost:9701 postgres'],
          [3, true, 'Aggregate'],
          [4, true, 'Seq Scan on orders_102008 orders'],
        ],
      );
      assert.equal(await page.textContent('.grid-row[data-node-id="4"] .col-exclusive'), '30.5 ms · 63%');
      assert.equal(await page.textContent('.grid-row[data-node-id="4"] .col-buffers'), '395 / 50');
      assert.deepEqual(incidents, { cspViolations: [], dialogs: [], errors: [] });
    });
  }
});
