import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../src/core/plan';
import { cardTooltip, highlightOf } from '../../webview-ui/src/card-content';
import { GRID_COLUMNS, gridCells, gridOrder, nodeConditions } from '../../webview-ui/src/grid-rows';
import { describeParams } from '../../webview-ui/src/run-state';
import { loadPg15Plan, TOPN } from './sample-advice';

describe('grid rows', () => {
  const plan = loadPg15Plan(TOPN.plan);

  it('keeps plan order, and sorts a column largest first with ties in plan order', () => {
    assert.deepEqual(gridOrder(plan, undefined, true), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(gridOrder(plan, 'node', false), [6, 5, 4, 3, 2, 1, 0]);
    const byTime = gridOrder(plan, 'exclusive', false);
    assert.equal(byTime[0], TOPN.productsScanId);
    for (let i = 1; i < byTime.length; i++) {
      const [a, b] = [plan.nodes[byTime[i - 1]], plan.nodes[byTime[i]]];
      assert.ok(a.exclusiveMs! > b.exclusiveMs! || (a.exclusiveMs === b.exclusiveMs && a.id < b.id), `${a.id} before ${b.id}`);
    }
    assert.deepEqual(
      gridOrder(plan, 'exclusive', true),
      [...byTime].reverse().sort((a, b) => plan.nodes[a].exclusiveMs! - plan.nodes[b].exclusiveMs! || a - b),
    );
  });

  it('puts nodes without a value last, whichever the direction', () => {
    const estimate = loadPg15Plan('estimate-only');
    for (const ascending of [true, false]) {
      assert.deepEqual(
        gridOrder(estimate, 'exclusive', ascending),
        estimate.nodes.map((node) => node.id),
      );
    }
    const never = loadPg15Plan('never-executed');
    const skipped = never.nodes.filter((node) => !node.executed).map((node) => node.id);
    assert.ok(skipped.length > 0);
    const byLoops = gridOrder(never, 'loops', false);
    assert.deepEqual(byLoops.slice(-skipped.length), skipped);
  });

  it('writes a row as the cards word it: times with share, rows of estimate, the factor, loops, buffers hit / read', () => {
    const cells = gridCells(plan.nodes[TOPN.productsScanId], plan);
    assert.deepEqual(
      { ...cells, conditions: undefined },
      {
        node: 'Parallel Seq Scan on products p',
        exclusive: '33.2 ms · 63%',
        exclusiveHeat: 4,
        inclusive: '33.2 ms',
        inclusiveHeat: 4,
        rows: '80k of 94k',
        misestimate: '1.2× over',
        misestimateDirection: undefined,
        loops: '2',
        buffers: '0 / 2.8k',
        conditions: undefined,
      },
    );
    assert.equal(gridCells(plan.nodes[0], plan).inclusiveHeat, 4);
    const never = loadPg15Plan('never-executed');
    const skipped = never.nodes.find((node) => !node.executed)!;
    assert.equal(gridCells(skipped, never).rows, 'never executed');
    assert.equal(gridCells(skipped, never).loops, '');
  });

  it("lists a node's conditions in the order PostgreSQL prints them", () => {
    const join = plan.nodes.find((node) => node.nodeType === 'Hash Join')!;
    assert.equal(nodeConditions(join), 'Hash Cond: (p.category_id = c.id)');
    const sort = plan.nodes[TOPN.sortId];
    assert.equal(nodeConditions(sort), 'Sort Key: p.created_at DESC');
    const scan = plan.nodes[TOPN.productsScanId];
    assert.equal(nodeConditions(scan), "Filter: (is_active AND (price > '10000'::numeric))");
  });

  it('has a sort value for every numeric column', () => {
    for (const column of GRID_COLUMNS) {
      assert.equal(column.sortValue !== undefined, column.numeric, column.id);
    }
  });
});

describe('card highlight and tooltip', () => {
  it('heats nodes by the chosen measure', () => {
    const plan = analyzePlan({
      Plan: {
        'Node Type': 'Seq Scan',
        'Relation Name': 'orders',
        Alias: 'orders',
        'Startup Cost': 0,
        'Total Cost': 100,
        'Plan Rows': 10,
        'Plan Width': 8,
        'Actual Startup Time': 0.01,
        'Actual Total Time': 2,
        'Actual Rows': 12_000,
        'Actual Loops': 1,
      },
      'Execution Time': 2,
    });
    const node = plan.nodes[0];
    assert.equal(highlightOf('exclusive').heat(node, plan), 4);
    // Off by 1200: past 1000, short of 10,000.
    assert.equal(highlightOf('misestimate').heat(node, plan), 3);
    assert.equal(highlightOf('rows').heat(node, plan), 4);
    assert.equal(highlightOf('cost').heat(node, plan), 4);
    assert.equal(highlightOf('buffers').heat(node, plan), 0, 'no BUFFERS, no heat');
    assert.equal(highlightOf(undefined).metric, 'exclusive');
  });

  it('says the node, its times, cost, rows against the estimate and loops', () => {
    const plan = loadPg15Plan(TOPN.plan);
    assert.equal(
      cardTooltip(plan.nodes[TOPN.productsScanId], plan),
      [
        'Parallel Seq Scan on products p',
        'Exclusive 33.2 ms (63%) · inclusive 33.2 ms',
        `Cost ${plan.nodes[TOPN.productsScanId].startupCost.toFixed(2)}..${plan.nodes[TOPN.productsScanId].totalCost.toFixed(2)}`,
        'Rows 80,036 of 94,386 estimated (1.2× over)',
        'Loops 2',
      ].join('\n'),
    );
  });

  it('writes parameter values as SQL literals', () => {
    assert.equal(describeParams(['42', null, "O'Brien"]), "$1 = '42', $2 = NULL, $3 = 'O''Brien'");
  });
});
