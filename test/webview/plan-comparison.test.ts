import * as assert from 'node:assert/strict';
import { diffPlans } from '../../src/core/plan/plan-diff';
import { comparePlans, speedChange } from '../../webview-ui/src/plan-comparison';
import { TOPN, loadPg15Plan } from './sample-advice';

describe('a plan compared with the plan after an index', () => {
  it('words time, cost and buffers, and lists the node changes the core diff found', () => {
    const before = loadPg15Plan(TOPN.plan);
    const after = loadPg15Plan(TOPN.indexedPlan);
    const comparison = comparePlans(before, after);
    assert.deepEqual(comparison.time, {
      before: 53.104,
      after: 0.155,
      text: '53.1 ms → 0.155 ms',
      verdict: '343× faster',
      trend: 'faster',
    });
    assert.equal(comparison.cost.text, '6,623 → 5.28 (−99.9%)');
    assert.deepEqual(comparison.changes, diffPlans(before, after).changes);
    assert.equal(comparison.changes.length, 8);
  });

  it('words the shared blocks of both plans', () => {
    const comparison = comparePlans(loadPg15Plan('nested-loop-many-loops'), loadPg15Plan('nested-loop-many-loops-hash'));
    assert.deepEqual(comparison.buffers, { text: '6,013 → 141 blocks', note: '6,013 hit, 0 read → 141 hit, 0 read' });
    assert.equal(comparison.time?.text, '1.12 ms → 1.33 ms');
    assert.equal(comparison.time?.verdict, '1.2× slower');
  });

  it('says how many times faster or slower, and when it is no real change', () => {
    assert.deepEqual(speedChange(38.2, 0.9), { verdict: '42× faster', trend: 'faster' });
    assert.deepEqual(speedChange(10, 21), { verdict: '2.1× slower', trend: 'slower' });
    assert.deepEqual(speedChange(10, 9.8), { verdict: 'about as fast', trend: 'same' });
    assert.deepEqual(speedChange(0, 0), { verdict: 'about as fast', trend: 'same' });
    assert.deepEqual(speedChange(5, 0), { verdict: '∞× faster', trend: 'faster' });
  });
});
