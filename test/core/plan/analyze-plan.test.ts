/**
 * analyzePlan on small hand-built plans, one behaviour each: the cases the captured fixtures do not
 * reach (Single Copy, leader participation off, PostgreSQL 16 parameter names, CTE scopes...).
 */
import { strict as assert } from 'node:assert';
import { analyzePlan, nodeLabel } from '../../../src/core/plan';
import type { AnalyzedPlan, RawExplainResult, RawPlanNode } from '../../../src/core/plan';

/** A node that ran `loops` times for `ms` each (ms per loop, as EXPLAIN reports it). */
function ran(type: string, ms: number, loops: number, extra: Partial<RawPlanNode> = {}, children: RawPlanNode[] = []): RawPlanNode {
  const node: RawPlanNode = {
    'Node Type': type,
    'Plan Rows': 10,
    'Actual Startup Time': 0,
    'Actual Total Time': ms,
    'Actual Rows': 10,
    'Actual Loops': loops,
    ...extra,
  };
  if (children.length > 0) node.Plans = children;
  return node;
}

function analyze(root: RawPlanNode, top: Partial<RawExplainResult> = {}): AnalyzedPlan {
  return analyzePlan({ Plan: root, ...top });
}

const near = (actual: number | undefined, expected: number): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

describe('analyzePlan', () => {
  describe('parallel plans', () => {
    it('divides the time of nodes under a Gather among the workers and the leader', () => {
      const plan = analyze(
        ran('Gather', 30, 1, { 'Workers Planned': 2, 'Workers Launched': 2 }, [
          ran('Hash Join', 24, 3, {}, [ran('Seq Scan', 9, 3, { 'Parallel Aware': true }), ran('Index Scan', 0.002, 3000)]),
        ]),
      );
      near(plan.nodes[1].inclusiveMs, (24 * 3) / 3);
      near(plan.nodes[2].inclusiveMs, (9 * 3) / 3);
      near(plan.nodes[3].inclusiveMs, (0.002 * 3000) / 3);
      near(plan.nodes[0].exclusiveMs, 30 - 24);
      near(plan.nodes[1].exclusiveMs, 24 - 9 - 2);
    });

    it('falls back to the planned workers, and divides by 1 when none started', () => {
      const planned = analyze(ran('Gather', 10, 1, { 'Workers Planned': 3 }, [ran('Seq Scan', 8, 4)]));
      near(planned.nodes[1].inclusiveMs, (8 * 4) / 4);
      const none = analyze(ran('Gather', 10, 1, { 'Workers Planned': 2, 'Workers Launched': 0 }, [ran('Seq Scan', 8, 1)]));
      near(none.nodes[1].inclusiveMs, 8);
    });

    it('does not divide under a Single Copy Gather, which runs its plan in one process', () => {
      const plan = analyze(
        ran('Gather', 10, 1, { 'Workers Planned': 1, 'Workers Launched': 1, 'Single Copy': true }, [ran('Seq Scan', 8, 1)]),
      );
      near(plan.nodes[1].inclusiveMs, 8);
    });

    it('leaves the leader out when parallel_leader_participation is off', () => {
      const plan = analyze(ran('Gather Merge', 10, 1, { 'Workers Planned': 2, 'Workers Launched': 2 }, [ran('Sort', 9, 2)]), {
        Settings: { parallel_leader_participation: 'off' },
      });
      near(plan.nodes[1].inclusiveMs, (9 * 2) / 2);
    });

    it('does not divide a SubPlan below a Gather', () => {
      const plan = analyze(
        ran('Gather', 10, 1, { 'Workers Launched': 2 }, [
          ran('Seq Scan', 6, 3, {}, [ran('Result', 0.01, 300, { 'Parent Relationship': 'SubPlan', 'Subplan Name': 'SubPlan 1' })]),
        ]),
      );
      near(plan.nodes[2].inclusiveMs, 0.01 * 300);
      near(plan.nodes[1].exclusiveMs, 6 - 3);
    });

    it('reports workers only on the Gather', () => {
      const plan = analyze(ran('Gather', 10, 1, { 'Workers Planned': 2, 'Workers Launched': 1 }, [ran('Seq Scan', 8, 2)]));
      assert.deepEqual([plan.nodes[0].workersPlanned, plan.nodes[0].workersLaunched], [2, 1]);
      assert.deepEqual([plan.nodes[1].workersPlanned, plan.nodes[1].workersLaunched], [undefined, undefined]);
    });
  });

  describe('InitPlans', () => {
    const initPlan = (name: string, ms: number, extra: Partial<RawPlanNode> = {}): RawPlanNode =>
      ran('Aggregate', ms, 1, { 'Parent Relationship': 'InitPlan', 'Subplan Name': name, ...extra });

    it('takes an InitPlan\'s time from the node whose expression uses it ("$1" up to PostgreSQL 16)', () => {
      const plan = analyze(
        ran('Limit', 10, 1, {}, [
          initPlan('InitPlan 1 (returns $0,$1)', 3),
          ran('Nested Loop', 9.5, 1, {}, [ran('Seq Scan', 2, 1), ran('Index Scan', 0.006, 1000, { 'Index Cond': '(id = $1)' })]),
        ]),
      );
      near(plan.nodes[0].exclusiveMs, 10 - 9.5);
      near(plan.nodes[2].exclusiveMs, 9.5 - 2 - 6);
      near(plan.nodes[4].exclusiveMs, 6 - 3);
    });

    it('tells "$1" from "$10"', () => {
      const plan = analyze(
        ran('Result', 13, 1, {}, [initPlan('InitPlan 2 (returns $1)', 3), ran('Seq Scan', 9, 1, { Filter: '(a > $10)' })]),
      );
      near(plan.nodes[2].exclusiveMs, 9);
      near(plan.nodes[0].exclusiveMs, 13 - 9 - 3);
    });

    it('recognises "(InitPlan 1).col1" (PostgreSQL 17+) and not "InitPlan 10"', () => {
      const plan = analyze(
        ran('Aggregate', 10, 1, {}, [
          initPlan('InitPlan 1', 4),
          ran('Append', 9, 1, {}, [
            ran('Seq Scan', 5, 1, { Filter: '(amount > (InitPlan 1).col1)' }),
            ran('Seq Scan', 3, 1, { Filter: '(amount > (InitPlan 10).col1)' }),
          ]),
        ]),
      );
      near(plan.nodes[3].exclusiveMs, 5 - 4);
      near(plan.nodes[4].exclusiveMs, 3);
    });

    it('takes the time once when several nodes use the result, deepest first', () => {
      const plan = analyze(
        ran('Sort', 10, 1, { 'Sort Key': ['(x - $0)'] }, [
          initPlan('InitPlan 1 (returns $0)', 4),
          ran('Seq Scan', 9, 1, { Filter: '(x > $0)' }),
        ]),
      );
      near(plan.nodes[2].exclusiveMs, 9 - 4);
      near(plan.nodes[0].exclusiveMs, 10 - 9);
    });

    it('takes the rest from the next user when the first has less time than the InitPlan, never going below 0', () => {
      const plan = analyze(
        ran('Sort', 10, 1, { 'Sort Key': ['(x - $0)'] }, [
          initPlan('InitPlan 1 (returns $0)', 4),
          ran('Seq Scan', 7.5, 1, { Filter: '(x > $0)' }),
        ]),
      );
      near(plan.nodes[2].exclusiveMs, 7.5 - 4);
      near(plan.nodes[0].exclusiveMs, 10 - 7.5);
      const short = analyze(
        ran('Sort', 10, 1, { 'Sort Key': ['(x - $0)'] }, [
          initPlan('InitPlan 1 (returns $0)', 4),
          ran('Seq Scan', 3, 1, { Filter: '(x > $0)' }),
        ]),
      );
      near(short.nodes[2].exclusiveMs, 0);
      near(short.nodes[0].exclusiveMs, 10 - 3 - 1);
    });

    it('takes buffers the same way as time', () => {
      const plan = analyze(
        ran('Aggregate', 10, 1, { 'Shared Hit Blocks': 300 }, [
          initPlan('InitPlan 1', 4, { 'Shared Hit Blocks': 100 }),
          ran('Seq Scan', 9, 1, { Filter: '(a > (InitPlan 1).col1)', 'Shared Hit Blocks': 300 }),
        ]),
      );
      assert.deepEqual(
        plan.nodes.map((node) => node.buffers?.sharedHit),
        [0, 100, 200],
      );
    });

    it('takes the time from the node it hangs under when nothing shows a reference', () => {
      const plan = analyze(ran('Result', 5, 1, {}, [initPlan('InitPlan 1 (returns $0)', 4), initPlan('InitPlan 2 (returns $1)', 0.5)]));
      near(plan.nodes[0].exclusiveMs, 5 - 4 - 0.5);
    });

    it('gives the time to the Gather that evaluates the InitPlan for its workers', () => {
      const plan = analyze(
        ran('Aggregate', 20, 1, {}, [
          initPlan('InitPlan 1', 2),
          ran('Gather', 19, 1, { 'Workers Launched': 1 }, [ran('Seq Scan', 8, 2, { Filter: '(x > (InitPlan 1).col1)' })]),
        ]),
      );
      near(plan.nodes[2].exclusiveMs, 19 - (8 * 2) / 2 - 2);
      near(plan.nodes[3].exclusiveMs, 8);
      near(plan.nodes[0].exclusiveMs, 20 - 19);
    });

    it("ignores the InitPlan's own name and references inside its own subtree", () => {
      const plan = analyze(ran('Result', 5, 1, {}, [initPlan('InitPlan 1 (returns $0)', 4, { Filter: '($0 IS NOT NULL)' })]));
      near(plan.nodes[1].exclusiveMs, 4);
      near(plan.nodes[0].exclusiveMs, 1);
    });
  });

  describe('CTEs', () => {
    const cte = (name: string, ms: number, extra: Partial<RawPlanNode> = {}): RawPlanNode =>
      ran('Seq Scan', ms, 1, { 'Parent Relationship': 'InitPlan', 'Subplan Name': `CTE ${name}`, ...extra });
    const scan = (name: string, ms: number, extra: Partial<RawPlanNode> = {}): RawPlanNode =>
      ran('CTE Scan', ms, 1, { 'CTE Name': name, ...extra });

    it('takes a CTE scanned once entirely from its scan, and not from the node it hangs under', () => {
      const plan = analyze(ran('Limit', 10, 1, {}, [cte('x', 6), scan('x', 9)]));
      near(plan.nodes[0].exclusiveMs, 10 - 9);
      near(plan.nodes[1].exclusiveMs, 6);
      near(plan.nodes[2].exclusiveMs, 9 - 6);
    });

    it('splits a CTE among its scans in proportion to their time', () => {
      const plan = analyze(ran('Append', 12, 1, {}, [cte('x', 6), scan('x', 8), scan('x', 4)]));
      near(plan.nodes[2].exclusiveMs, 8 - (6 * 8) / 12);
      near(plan.nodes[3].exclusiveMs, 4 - (6 * 4) / 12);
    });

    it('splits buffers in whole blocks, in proportion to what each scan read', () => {
      const plan = analyze(
        ran('Append', 12, 1, { 'Shared Hit Blocks': 10 }, [
          cte('x', 6, { 'Shared Hit Blocks': 7 }),
          scan('x', 8, { 'Shared Hit Blocks': 5 }),
          scan('x', 4, { 'Shared Hit Blocks': 5 }),
        ]),
      );
      const scans = [plan.nodes[2].buffers!.sharedHit, plan.nodes[3].buffers!.sharedHit];
      assert.ok(scans.every(Number.isInteger), `whole blocks: ${scans}`);
      assert.equal(scans[0] + scans[1], 10 - 7);
      assert.equal(plan.nodes[0].buffers!.sharedHit, 0);
    });

    it('matches each scan to the CTE of its own query level when names repeat', () => {
      const plan = analyze(
        ran('Hash Join', 20, 1, {}, [
          cte('x', 5),
          scan('x', 6),
          ran('Hash', 13, 1, {}, [ran('Subquery Scan', 13, 1, {}, [ran('Limit', 13, 1, {}, [cte('x', 10), scan('x', 12)])])]),
        ]),
      );
      near(plan.nodes[2].exclusiveMs, 6 - 5);
      near(plan.nodes[7].exclusiveMs, 12 - 10);
      near(plan.nodes[5].exclusiveMs, 13 - 12);
    });

    it('leaves other nodes alone when a CTE is never scanned', () => {
      const plan = analyze(ran('Result', 1, 1, {}, [cte('unused', 0, { 'Actual Loops': 0 })]));
      near(plan.nodes[0].exclusiveMs, 1);
      assert.equal(plan.nodes[1].executed, false);
    });
  });

  describe('rows', () => {
    it('compares rows per loop, counting anything below one row (0, or a PostgreSQL 18 fraction) as 1', () => {
      const plan = analyze(
        ran('Append', 1, 1, {}, [
          ran('Seq Scan', 1, 1, { 'Actual Rows': 0, 'Plan Rows': 1 }),
          ran('Seq Scan', 1, 1, { 'Actual Rows': 0, 'Plan Rows': 250 }),
          ran('Index Scan', 0.01, 100, { 'Actual Rows': 40, 'Plan Rows': 2 }),
          ran('Index Scan', 0.01, 4, { 'Actual Rows': 0.5, 'Plan Rows': 1 }),
        ]),
      );
      assert.deepEqual(plan.nodes[1].misestimate, { factor: 1, direction: 'exact' });
      assert.deepEqual(plan.nodes[2].misestimate, { factor: 250, direction: 'over' });
      assert.deepEqual(plan.nodes[3].misestimate, { factor: 20, direction: 'under' });
      assert.deepEqual(plan.nodes[4].misestimate, { factor: 1, direction: 'exact' });
      assert.equal(plan.nodes[4].actualRowsTotal, 2);
      assert.equal(plan.maxima.misestimateFactor, 250);
    });

    it('adds rows removed by filter, join filter and recheck over all loops', () => {
      const plan = analyze(
        ran('Nested Loop', 1, 1, { 'Actual Rows': 5, 'Rows Removed by Join Filter': 15 }, [
          ran('Bitmap Heap Scan', 0.1, 4, { 'Actual Rows': 2, 'Rows Removed by Filter': 3, 'Rows Removed by Index Recheck': 1 }),
          ran('Seq Scan', 1, 1, { 'Actual Rows': 0, 'Rows Removed by Filter': 0 }),
        ]),
      );
      near(plan.nodes[0].removedRatio, 15 / 20);
      assert.deepEqual([plan.nodes[1].rowsRemovedByFilter, plan.nodes[1].rowsRemovedByIndexRecheck], [12, 4]);
      near(plan.nodes[1].removedRatio, 16 / (16 + 8));
      assert.equal(plan.nodes[2].removedRatio, undefined, 'a node that saw no row has no ratio');
    });
  });

  describe('labels, as the text format prints them', () => {
    const cases: Array<[Partial<RawPlanNode>, string]> = [
      [{ 'Node Type': 'Aggregate', Strategy: 'Plain', 'Partial Mode': 'Simple' }, 'Aggregate'],
      [{ 'Node Type': 'Aggregate', Strategy: 'Sorted', 'Partial Mode': 'Finalize' }, 'Finalize GroupAggregate'],
      [{ 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Partial Mode': 'Partial' }, 'Partial HashAggregate'],
      [{ 'Node Type': 'Aggregate', Strategy: 'Mixed' }, 'MixedAggregate'],
      [{ 'Node Type': 'SetOp', Strategy: 'Hashed', Command: 'Intersect All' }, 'HashSetOp Intersect All'],
      [{ 'Node Type': 'SetOp', Strategy: 'Sorted', Command: 'Except' }, 'SetOp Except'],
      [{ 'Node Type': 'ModifyTable', Operation: 'Merge' }, 'Merge'],
      [{ 'Node Type': 'Foreign Scan', Operation: 'Select', 'Async Capable': true }, 'Async Foreign Scan'],
      [{ 'Node Type': 'Foreign Scan', Operation: 'Update' }, 'Foreign Update'],
      [{ 'Node Type': 'Custom Scan', 'Custom Plan Provider': 'ColumnarScan' }, 'Custom Scan (ColumnarScan)'],
      [{ 'Node Type': 'Index Only Scan', 'Scan Direction': 'Backward', 'Parallel Aware': true }, 'Parallel Index Only Scan Backward'],
      [{ 'Node Type': 'Index Scan', 'Scan Direction': 'Forward' }, 'Index Scan'],
      [{ 'Node Type': 'Hash Join', 'Join Type': 'Left', 'Parallel Aware': true }, 'Parallel Hash Left Join'],
      [{ 'Node Type': 'Hash Join', 'Join Type': 'Right Semi' }, 'Hash Right Semi Join'],
      [{ 'Node Type': 'Merge Join', 'Join Type': 'Right Anti' }, 'Merge Right Anti Join'],
      [{ 'Node Type': 'Merge Join', 'Join Type': 'Inner' }, 'Merge Join'],
      [{ 'Node Type': 'Nested Loop', 'Join Type': 'Semi' }, 'Nested Loop Semi Join'],
      [{ 'Node Type': 'Nested Loop', 'Join Type': 'Inner' }, 'Nested Loop'],
      [{ 'Node Type': 'Append', 'Parallel Aware': true }, 'Parallel Append'],
      [{ 'Node Type': 'Bitmap Heap Scan', 'Parallel Aware': true }, 'Parallel Bitmap Heap Scan'],
    ];
    for (const [raw, label] of cases) {
      it(label, () => assert.equal(nodeLabel(raw as RawPlanNode), label));
    }
  });

  describe('estimate-only plans (EXPLAIN without ANALYZE)', () => {
    const plan = analyzePlan({
      Plan: {
        'Node Type': 'Limit',
        'Total Cost': 12.5,
        'Plan Rows': 10,
        Plans: [{ 'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Total Cost': 40, 'Plan Rows': 2550, Filter: '(a > 1)' }],
      },
      Planning: { 'Shared Hit Blocks': 12 },
      'Planning Time': 0.2,
    });

    it('is not analyzed, and no node executed or has time, rows or buffers', () => {
      assert.equal(plan.analyzed, false);
      assert.equal(plan.hasBuffers, false, 'planning buffers are not node buffers');
      for (const node of plan.nodes) {
        assert.deepEqual(
          [
            node.executed,
            node.loops,
            node.inclusiveMs,
            node.exclusiveMs,
            node.exclusiveShare,
            node.actualRowsTotal,
            node.misestimate,
            node.buffers,
          ],
          [false, 0, undefined, undefined, undefined, undefined, undefined, undefined],
        );
      }
    });

    it('keeps estimates, with no total time even though planning time is known', () => {
      assert.deepEqual(
        plan.nodes.map((node) => [node.label, node.planRowsTotal, node.totalCost]),
        [
          ['Limit', 10, 12.5],
          ['Seq Scan', 2550, 40],
        ],
      );
      assert.equal(plan.totalMs, undefined);
      assert.equal(plan.planningMs, 0.2);
      assert.deepEqual([plan.maxima.inclusiveMs, plan.maxima.planRowsTotal, plan.maxima.totalCost], [0, 2550, 40]);
    });
  });

  describe('plan level', () => {
    it('sums I/O times across the key names of PostgreSQL 13-16 and 17+', () => {
      const plan = analyze(
        ran('Append', 10, 1, {}, [
          ran('Seq Scan', 4, 1, { 'I/O Read Time': 1.5, 'I/O Write Time': 0.5, 'Temp I/O Read Time': 0.25 }),
          ran('Seq Scan', 4, 1, {
            'Shared I/O Read Time': 1,
            'Local I/O Read Time': 2,
            'Temp I/O Read Time': 3,
            'Shared I/O Write Time': 0.75,
          }),
        ]),
      );
      near(plan.nodes[1].ioReadMs, 1.75);
      near(plan.nodes[1].ioWriteMs, 0.5);
      near(plan.nodes[2].ioReadMs, 6);
      near(plan.nodes[2].ioWriteMs, 0.75);
      assert.equal(plan.nodes[0].ioReadMs, undefined);
    });

    it('reads JIT totals, including PostgreSQL 17\'s "Generation" object', () => {
      const plan = analyze(ran('Result', 1, 1), {
        JIT: { Functions: 4, Timing: { Generation: { Deform: 0.1, Total: 0.5 }, Inlining: 0, Optimization: 1, Emission: 2, Total: 3.5 } },
      });
      assert.equal(plan.jit?.functions, 4);
      assert.equal(plan.jit?.totalMs, 3.5);
      const estimated = analyzePlan({ Plan: { 'Node Type': 'Result' }, JIT: { Functions: 4, Options: { Inlining: false } } });
      assert.equal(estimated.jit?.totalMs, 0);
    });

    it('uses the root time as the total when Execution Time is missing', () => {
      const plan = analyze(ran('Limit', 8, 1, {}, [ran('Seq Scan', 6, 1)]));
      assert.equal(plan.totalMs, 8);
      near(plan.nodes[1].exclusiveShare, 6 / 8);
    });

    it('keeps the top-level keys except "Plan", and the nodes\' keys except "Plans"', () => {
      const plan = analyze(ran('Limit', 8, 1, { 'Custom Key': 'kept' }, [ran('Seq Scan', 6, 1)]), {
        'Planning Time': 1,
        'Query Text': 'select',
      });
      assert.deepEqual(Object.keys(plan.rawTopLevel).sort(), ['Planning Time', 'Query Text']);
      assert.equal(plan.nodes[0].raw['Custom Key'], 'kept');
      assert.equal('Plans' in plan.nodes[0].raw, false);
    });

    it('does not modify its input', () => {
      const input: RawExplainResult = {
        Plan: ran('Limit', 10, 1, {}, [
          ran('Aggregate', 3, 1, { 'Parent Relationship': 'InitPlan', 'Subplan Name': 'CTE x' }),
          ran('CTE Scan', 9, 1, { 'CTE Name': 'x' }),
        ]),
        'Execution Time': 11,
      };
      const before = JSON.stringify(input);
      analyzePlan(input);
      assert.equal(JSON.stringify(input), before);
    });
  });

  describe('size', () => {
    it('analyses a plan 50 000 nodes deep without recursion', () => {
      let root: RawPlanNode = ran('Seq Scan', 1, 1);
      for (let i = 1; i < 50000; i++) root = ran('Limit', 1 + i * 0.001, 1, {}, [root]);
      const plan = analyze(root);
      assert.equal(plan.nodes.length, 50000);
      assert.equal(plan.nodes[49999].depth, 49999);
      near(plan.nodes[0].exclusiveMs, 0.001);
      near(plan.nodes[49999].exclusiveMs, 1);
    });

    it('analyses a node with 50 000 children', () => {
      const children = Array.from({ length: 50000 }, () => ran('Seq Scan', 0.001, 1));
      const plan = analyze(ran('Append', 60, 1, {}, children));
      assert.equal(plan.nodes[0].childIds.length, 50000);
      assert.equal(plan.nodes[50000].parentId, 0);
      near(plan.nodes[0].exclusiveMs, 10);
    });
  });
});
