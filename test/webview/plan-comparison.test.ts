import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../src/core/plan';
import { comparePlans, speedChange } from '../../webview-ui/src/plan-comparison';
import { TOPN, loadPg15Plan } from './sample-advice';

describe('a plan compared with the plan after an index', () => {
  it('sums up time, cost and which nodes went and came', () => {
    const before = loadPg15Plan(TOPN.plan);
    const after = loadPg15Plan(TOPN.indexedPlan);
    const comparison = comparePlans(before, after);
    assert.deepEqual(comparison.time, { before: 53.104, after: 0.155, text: '53.1 ms → 0.155 ms', verdict: '343× faster', trend: 'faster' });
    assert.equal(comparison.cost.text, '6,623 → 5.28 (−99.9%)');
    assert.deepEqual(comparison.changes, [
      { kind: 'replaced', from: 'Parallel Seq Scan on products p', to: 'Index Scan Backward using products_created_at_idx on products p' },
      { kind: 'replaced', from: 'Seq Scan on categories c', to: 'Index Scan using categories_pkey on categories c' },
      { kind: 'removed', name: 'Gather Merge' },
      { kind: 'removed', name: 'Sort' },
      { kind: 'removed', name: 'Hash Join' },
      { kind: 'removed', name: 'Hash' },
      { kind: 'added', name: 'Nested Loop' },
      { kind: 'added', name: 'Memoize' },
    ]);
    // The Limit stayed: only it has a counterpart on both sides.
    assert.deepEqual([...comparison.removedIds], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...comparison.addedIds], [1, 2, 3, 4]);
  });

  it('matches nodes by name as many times as both plans have them', () => {
    const scan = (relation: string) => ({ 'Node Type': 'Seq Scan', 'Relation Name': relation, 'Total Cost': 1, 'Plan Rows': 1, 'Plan Width': 4 });
    const append = (...relations: string[]) =>
      analyzePlan({ Plan: { 'Node Type': 'Append', 'Total Cost': 3, 'Plan Rows': 3, 'Plan Width': 4, Plans: relations.map(scan) } as never });
    const comparison = comparePlans(append('a', 'a', 'b'), append('a', 'b'));
    assert.deepEqual(comparison.changes, [{ kind: 'removed', name: 'Seq Scan on a' }]);
    assert.equal(comparison.time, undefined, 'estimate-only plans have no time to compare');
    assert.deepEqual(comparePlans(append('a'), append('a')).changes, []);
  });

  it('says how many times faster or slower, and when it is no real change', () => {
    assert.deepEqual(speedChange(38.2, 0.9), { verdict: '42× faster', trend: 'faster' });
    assert.deepEqual(speedChange(10, 21), { verdict: '2.1× slower', trend: 'slower' });
    assert.deepEqual(speedChange(10, 9.8), { verdict: 'about as fast', trend: 'same' });
    assert.deepEqual(speedChange(0, 0), { verdict: 'about as fast', trend: 'same' });
    assert.deepEqual(speedChange(5, 0), { verdict: '∞× faster', trend: 'faster' });
  });
});
