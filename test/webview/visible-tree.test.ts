import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../src/core/plan';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import {
  AUTO_COLLAPSE_DEPTH,
  GROUP_SHOWN_CHILDREN,
  PlanIndex,
  REVEAL_BUDGET,
  TreeVisibility,
  holderOf,
  itemByKey,
} from '../../webview-ui/src/visible-tree';
import { loadPlan } from './standalone-page';
import { syntheticExplain } from './synthetic-plans';

/** A chain of `depth` Limits over one Seq Scan. */
function chainPlan(depth: number): AnalyzedPlan {
  let plan: Record<string, unknown> = { 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Total Cost': 1, 'Plan Rows': 1, 'Plan Width': 4 };
  for (let i = 0; i < depth; i++) {
    plan = { 'Node Type': 'Limit', 'Total Cost': 1, 'Plan Rows': 1, 'Plan Width': 4, Plans: [plan] };
  }
  return analyzePlan({ Plan: plan as never });
}

describe('which plan nodes are on screen', () => {
  it('shows a small plan whole', () => {
    const plan = analyzePlan(syntheticExplain(40));
    const tree = TreeVisibility.initial(new PlanIndex(plan)).build();
    assert.equal(tree.nodeItems.size, 40);
    assert.equal(tree.groupItems.size, 0);
    assert.deepEqual(
      tree.items.map((item) => item.kind === 'node' && item.nodeId),
      plan.nodes.map((node) => node.id),
      'items come in preorder',
    );
  });

  it('folds a family of thousands into its ten heaviest children and one group', function () {
    const plan = loadPlan('partitions-4000-n4004.json');
    const index = new PlanIndex(plan);
    const visibility = TreeVisibility.initial(index);
    const tree = visibility.build();
    const append = plan.nodes.find((node) => node.childIds.length === 4000)!;
    assert.equal(tree.nodeItems.size, 4 + GROUP_SHOWN_CHILDREN);
    const group = tree.groupItems.get(append.id)!;
    assert.equal(group.memberIds.length, 4000 - GROUP_SHOWN_CHILDREN);
    assert.equal(tree.nodeItems.get(append.id)!.children.at(-1), group);

    const shownMs = index.family(append.id).shown.map((id) => plan.nodes[id].inclusiveMs!);
    const heaviestFolded = Math.max(...group.memberIds.map((id) => plan.nodes[id].inclusiveMs!));
    assert.ok(Math.min(...shownMs) >= heaviestFolded, 'no folded child took longer than a shown one');

    visibility.expandGroup(append.id);
    assert.equal(visibility.build().nodeItems.size, 4004);
    visibility.regroup(append.id);
    assert.equal(visibility.build().nodeItems.size, 14);
  });

  it('collapses below a depth, and opens one more depth range at a time', () => {
    const plan = chainPlan(40);
    const visibility = TreeVisibility.initial(new PlanIndex(plan));
    let tree = visibility.build();
    assert.equal(tree.nodeItems.size, AUTO_COLLAPSE_DEPTH + 1);
    const deepest = tree.items.at(-1)!;
    assert.ok(deepest.kind === 'node' && deepest.collapsed && deepest.hiddenCount === 41 - tree.nodeItems.size);

    visibility.expand(deepest.nodeId);
    tree = visibility.build();
    assert.equal(tree.nodeItems.size, 2 * (AUTO_COLLAPSE_DEPTH + 1));
  });

  it('stops revealing when a budget of nodes is spent, whatever the plan size', () => {
    const plan = analyzePlan(syntheticExplain(50_000));
    const tree = TreeVisibility.initial(new PlanIndex(plan)).build();
    assert.ok(tree.items.length <= REVEAL_BUDGET + 1, `${tree.items.length} items`);
  });

  it('toggles, keeps collapsed subtrees the user closed, and reveals a hidden node', () => {
    const plan = analyzePlan(syntheticExplain(2_000));
    const index = new PlanIndex(plan);
    const visibility = TreeVisibility.initial(index);
    const hidden = plan.nodes.filter((node) => !visibility.build().nodeItems.has(node.id));
    const target = hidden[hidden.length - 1].id;

    const holder = holderOf(visibility.build(), index, target);
    assert.ok(holder.kind === 'group' || holder.collapsed);

    visibility.reveal(target);
    const tree = visibility.build();
    assert.ok(tree.nodeItems.has(target));
    assert.equal(holderOf(tree, index, target), tree.nodeItems.get(target));
    assert.equal(itemByKey(tree, `n${target}`), tree.nodeItems.get(target));

    const join = plan.nodes.find((node) => node.nodeType === 'Hash Join')!;
    visibility.toggle(join.id);
    assert.equal(visibility.build().nodeItems.get(join.id)!.hiddenCount, index.subtreeSize[join.id] - 1);
    visibility.toggle(join.id);
    assert.ok(visibility.build().nodeItems.has(target), 'reopening keeps what was open below');
  });

  it('keeps only valid ids from a saved state', () => {
    const plan = analyzePlan(syntheticExplain(40));
    const visibility = new TreeVisibility(new PlanIndex(plan), [0, 40, 999], [12345]);
    assert.deepEqual([...visibility.collapsed], [0]);
    assert.deepEqual([...visibility.expandedGroups], []);
    assert.equal(visibility.build().items.length, 1);
  });
});
