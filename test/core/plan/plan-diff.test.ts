import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan';
import { diffPlans, summarizePlan } from '../../../src/core/plan/plan-diff';
import { TOPN, loadPg15Plan } from '../../webview/sample-advice';

describe('two plans of one statement compared node by node', () => {
  it('reads an index turning scans into index scans as replacements on the same relation', () => {
    const diff = diffPlans(loadPg15Plan(TOPN.plan), loadPg15Plan(TOPN.indexedPlan));
    assert.deepEqual(diff.changes, [
      {
        kind: 'replaced',
        from: 'Parallel Seq Scan on products p',
        to: 'Index Scan Backward using products_created_at_idx on products p',
        fromId: 4,
        toId: 2,
      },
      { kind: 'replaced', from: 'Seq Scan on categories c', to: 'Index Scan using categories_pkey on categories c', fromId: 6, toId: 4 },
      { kind: 'removed', name: 'Gather Merge', id: 1 },
      { kind: 'removed', name: 'Sort', id: 2 },
      { kind: 'removed', name: 'Hash Join', id: 3 },
      { kind: 'removed', name: 'Hash', id: 5 },
      { kind: 'added', name: 'Nested Loop', id: 1 },
      { kind: 'added', name: 'Memoize', id: 3 },
    ]);
    // The Limit stayed: only it has a counterpart on both sides.
    assert.deepEqual([...diff.removedIds], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...diff.addedIds], [1, 2, 3, 4]);
    assert.equal(diff.before.executionMs, 53.104);
    assert.equal(diff.after.executionMs, 0.155);
    assert.equal(diff.before.nodeCount, 7);
    assert.equal(diff.after.nodeCount, 5);
  });

  it('reads a nested loop given way to a hash join: the join method, the inner scan and the new Hash', () => {
    // The same statement planned with hash and merge joins disabled, then freely (PostgreSQL 15).
    const nestedLoop = loadPg15Plan('nested-loop-many-loops');
    const hashJoin = loadPg15Plan('nested-loop-many-loops-hash');
    const diff = diffPlans(nestedLoop, hashJoin);
    assert.deepEqual(diff.changes, [
      { kind: 'replaced', from: 'Index Scan using orders_customer_id_idx on orders o', to: 'Seq Scan on orders o', fromId: 2, toId: 1 },
      { kind: 'removed', name: 'Nested Loop', id: 0 },
      { kind: 'added', name: 'Hash Join', id: 0 },
      { kind: 'added', name: 'Hash', id: 2 },
    ]);
    assert.deepEqual([...diff.removedIds], [0, 2]);
    assert.deepEqual([...diff.addedIds], [0, 1, 2]);
    // 6,013 shared hits: 13 for customers, 6,000 for 500 index probes; the hash join reads orders once, 128 blocks.
    assert.equal(diff.before.buffers?.sharedHit, 6013);
    assert.equal(diff.after.buffers?.sharedHit, 141);
    assert.equal(diff.after.buffers?.sharedRead, 0);
    assert.equal(diff.before.totalCost, 898.75);
    assert.equal(diff.after.totalCost, 427.51);
    assert.equal(diff.after.planningMs, 0.637);
  });

  it('finds no change between a plan and itself, and reverses cleanly', () => {
    const plan = loadPg15Plan('nested-loop-many-loops');
    assert.deepEqual(diffPlans(plan, plan).changes, []);
    const back = diffPlans(loadPg15Plan('nested-loop-many-loops-hash'), plan);
    assert.deepEqual(
      back.changes.map((c) => c.kind),
      ['replaced', 'removed', 'removed', 'added'],
    );
  });

  it('matches nodes by name as many times as both plans have them', () => {
    const scan = (relation: string) => ({
      'Node Type': 'Seq Scan',
      'Relation Name': relation,
      'Total Cost': 1,
      'Plan Rows': 1,
      'Plan Width': 4,
    });
    const append = (...relations: string[]) =>
      analyzePlan({
        Plan: { 'Node Type': 'Append', 'Total Cost': 3, 'Plan Rows': 3, 'Plan Width': 4, Plans: relations.map(scan) } as never,
      });
    assert.deepEqual(diffPlans(append('a', 'a', 'b'), append('a', 'b')).changes, [{ kind: 'removed', name: 'Seq Scan on a', id: 2 }]);
    const estimate = summarizePlan(append('a'));
    assert.equal(estimate.executionMs, undefined, 'an estimate-only plan has no time');
    assert.equal(estimate.buffers, undefined, 'nor buffers');
  });
});
