import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../src/core/plan';
import type { RawPlanNode } from '../../src/core/plan/explain-json';
import { describeGroup, describeNode, heatOf } from '../../webview-ui/src/card-content';

function scan(extra: Partial<RawPlanNode>): RawPlanNode {
  return {
    'Node Type': 'Index Scan',
    'Relation Name': 'orders',
    Alias: 'o',
    'Index Name': 'orders_customer_id_idx',
    'Startup Cost': 0.43,
    'Total Cost': 8.45,
    'Plan Rows': 10,
    'Plan Width': 40,
    'Actual Startup Time': 0.01,
    'Actual Total Time': 2,
    'Actual Rows': 1200,
    'Actual Loops': 1,
    ...extra,
  } as RawPlanNode;
}

describe('card content', () => {
  it('names what a node works on the way PostgreSQL prints it', () => {
    const plan = analyzePlan({ Plan: scan({}), 'Execution Time': 2 });
    const card = describeNode(plan.nodes[0], plan);
    assert.equal(card.title, 'Index Scan');
    assert.equal(card.subtitle, 'using orders_customer_id_idx on orders o');
  });

  it('flags a misestimate of ten times or more, and says which way', () => {
    const under = analyzePlan({ Plan: scan({}), 'Execution Time': 2 });
    assert.deepEqual(describeNode(under.nodes[0], under).misestimate, { text: '120× under', direction: 'under' });
    const over = analyzePlan({ Plan: scan({ 'Plan Rows': 50_000 }), 'Execution Time': 2 });
    assert.equal(describeNode(over.nodes[0], over).misestimate?.text, '42× over');
    const close = analyzePlan({ Plan: scan({ 'Plan Rows': 200 }), 'Execution Time': 2 });
    assert.equal(describeNode(close.nodes[0], close).misestimate, undefined);
  });

  it('shows loops, and a node that never ran as such', () => {
    const plan = analyzePlan({
      Plan: {
        'Node Type': 'Nested Loop',
        'Join Type': 'Inner',
        'Startup Cost': 0,
        'Total Cost': 100,
        'Plan Rows': 10,
        'Plan Width': 8,
        'Actual Startup Time': 0.1,
        'Actual Total Time': 3,
        'Actual Rows': 0,
        'Actual Loops': 1,
        Plans: [
          scan({ 'Parent Relationship': 'Outer', 'Actual Rows': 0, 'Actual Loops': 25_000, 'Actual Total Time': 0.0001 }),
          scan({ 'Parent Relationship': 'Inner', 'Actual Rows': 0, 'Actual Loops': 0, 'Actual Total Time': 0, 'Actual Startup Time': 0 }),
        ],
      } as RawPlanNode,
      'Execution Time': 3,
    });
    assert.deepEqual(describeNode(plan.nodes[1], plan).notes, ['25k loops']);
    const never = describeNode(plan.nodes[2], plan);
    assert.equal(never.neverExecuted, true);
    assert.equal(never.rows, 'never executed');
    assert.equal(never.misestimate, undefined);
  });

  it('sums up a group of folded siblings', () => {
    const plan = analyzePlan({
      Plan: {
        'Node Type': 'Append',
        'Startup Cost': 0,
        'Total Cost': 1,
        'Plan Rows': 1,
        'Plan Width': 1,
        'Actual Startup Time': 0,
        'Actual Total Time': 8,
        'Actual Rows': 3600,
        'Actual Loops': 1,
        Plans: [scan({}), scan({}), scan({ 'Node Type': 'Seq Scan' })],
      } as RawPlanNode,
      'Execution Time': 8,
    });
    const group = describeGroup([1, 2, 3], plan);
    assert.equal(group.title, '+3 more');
    assert.equal(group.subtitle, 'Index Scan ×2, Seq Scan ×1');
    assert.equal(group.rows, '3.6k rows in all');
    assert.equal(group.time?.text, '6.00 ms · 75% in all');
    assert.equal(group.heat, 4);
  });

  it('heats a card by its share of the time', () => {
    assert.deepEqual([0, 0.019, 0.02, 0.1, 0.25, 0.5, 1].map(heatOf), [0, 0, 1, 2, 3, 4, 4]);
  });
});
