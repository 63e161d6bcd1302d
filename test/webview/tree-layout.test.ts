import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../src/core/plan';
import { CARD, CARD_HEIGHT, CardSizer, type TextMeasurer } from '../../webview-ui/src/card-size';
import { MAX_EDGE_WIDTH, MIN_EDGE_WIDTH, ROW_STEP, edgeWidth, layoutTree, silhouettes } from '../../webview-ui/src/tree-layout';
import { PlanIndex, TreeVisibility } from '../../webview-ui/src/visible-tree';
import { syntheticExplain } from './synthetic-plans';

/** Every character 7 pixels wide: what matters here is geometry, not fonts. */
const monospace: TextMeasurer = { title: (t) => t.length * 7, body: (t) => t.length * 7, badge: (t) => t.length * 7 };

function laidOut(nodeCount: number, open?: (visibility: TreeVisibility, index: PlanIndex) => void) {
  const plan = analyzePlan(syntheticExplain(nodeCount));
  const index = new PlanIndex(plan);
  const visibility = TreeVisibility.initial(index);
  open?.(visibility, index);
  return { plan, layout: layoutTree(visibility.build(), plan, new CardSizer(plan, monospace)) };
}

describe('tree layout', () => {
  it('puts each depth on one row and never lets cards of a row overlap', () => {
    const { layout } = laidOut(400);
    for (const [depth, row] of layout.rows.entries()) {
      for (const [i, item] of row.entries()) {
        assert.equal(item.y, depth * ROW_STEP);
        assert.equal(item.height, CARD_HEIGHT);
        assert.ok(item.width >= CARD.minWidth && item.width <= CARD.maxWidth);
        if (i > 0) {
          assert.ok(item.x >= row[i - 1].x + row[i - 1].width, `row ${depth}: card ${i} overlaps the one before`);
        }
      }
    }
  });

  it('centres a parent over its children', () => {
    const { layout } = laidOut(400);
    for (const item of layout.tree.items) {
      if (item.children.length > 0) {
        const first = item.children[0];
        const last = item.children[item.children.length - 1];
        const centre = (first.x + first.width / 2 + last.x + last.width / 2) / 2;
        assert.ok(Math.abs(item.x + item.width / 2 - centre) <= 1);
      }
    }
  });

  it('sizes a card the same whether its text was measured ahead, while idle, or during the layout', () => {
    const plan = analyzePlan(syntheticExplain(2000));
    const index = new PlanIndex(plan);
    const visibility = TreeVisibility.initial(index);
    const family = plan.nodes.find((node) => node.childIds.length > 1000)!.id;
    let measured = 0;
    const ahead = new CardSizer(plan, { ...monospace, title: (text) => (measured++, monospace.title(text)) });
    // Idle periods, played out at once: each callback gets a slice of the members.
    const idle: IdleRequestCallback[] = [];
    globalThis.requestIdleCallback = (callback) => idle.push(callback);
    try {
      ahead.measureWhenIdle(index.family(family).grouped);
      while (idle.length > 0) {
        idle.shift()!({ didTimeout: false, timeRemaining: () => 50 });
      }
    } finally {
      delete (globalThis as { requestIdleCallback?: unknown }).requestIdleCallback;
    }
    const members = index.family(family).grouped.length;
    assert.equal(measured, members);
    visibility.expandGroup(family);
    const items = visibility.build().items;
    const fresh = new CardSizer(plan, monospace);
    const widths = items.map((item) => fresh.width(item));
    assert.deepEqual(
      items.map((item) => ahead.width(item)),
      widths,
    );
    // Every card's text measured once: the members ahead, the rest during the layout.
    assert.equal(measured, items.length);
    for (const item of items) {
      assert.equal(fresh.heat(item), fresh.content(item).heat);
    }
  });

  it('scales edge width by rows on a log scale, between a hairline and the widest flow', () => {
    assert.equal(edgeWidth(0, 1000), MIN_EDGE_WIDTH);
    assert.equal(edgeWidth(1000, 1000), MAX_EDGE_WIDTH);
    assert.ok(edgeWidth(10, 1_000_000) < edgeWidth(1000, 1_000_000));
    assert.ok(edgeWidth(1000, 1_000_000) > MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) / 3, 'a log scale keeps mid flows visible');
  });

  it('draws thousands of edges as a few paths, a large family as a bus', () => {
    const { layout } = laidOut(10_000, (visibility, index) => {
      visibility.expandGroup(index.plan.nodes.find((node) => node.childIds.length > 1000)!.id);
    });
    assert.ok(layout.tree.items.length > 5000);
    assert.ok(layout.edges.length < 1000, `${layout.edges.length} paths`);
    const segments = layout.edges.reduce((sum, edge) => sum + (edge.path.match(/M/g)?.length ?? 0), 0);
    assert.ok(segments >= layout.tree.items.length - 1);
    assert.ok(
      layout.edges.some((edge) => /H/.test(edge.path)),
      'the family hangs from a horizontal bar',
    );
    const rects = silhouettes(layout, () => 0).reduce((sum, outline) => sum + (outline.path.match(/z/g)?.length ?? 0), 0);
    assert.equal(rects, layout.tree.items.length);
  });
});
