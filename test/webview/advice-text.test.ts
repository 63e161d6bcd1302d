import * as assert from 'node:assert/strict';
import { describeBadge, describeSeverities, describeVerification, formatImpact, plural } from '../../webview-ui/src/advice-text';

describe('advice as the page words it', () => {
  it('words the impact of a finding as a duration', () => {
    assert.equal(formatImpact(12.4), '~12.4 ms');
    assert.equal(formatImpact(2.44), '~2.44 ms');
    assert.equal(formatImpact(0.3), '~0.300 ms');
    assert.equal(formatImpact(0.0456), '~0.046 ms');
    assert.equal(formatImpact(1530), '~1.53 s');
    assert.equal(formatImpact(0), undefined);
    assert.equal(formatImpact(Number.NaN), undefined);
  });

  it('names severities from the most serious, leaving out those with none', () => {
    assert.equal(describeSeverities({ critical: 1, warning: 2, info: 0 }), '1 critical, 2 warnings');
    assert.equal(describeSeverities({ critical: 0, warning: 0, info: 3 }), '3 info');
    assert.equal(plural(1, 'finding'), '1 finding');
    assert.equal(plural(1200, 'finding'), '1,200 findings');
  });

  it('says on a badge whether its findings are on the card itself or folded into it', () => {
    const counts = { critical: 1, warning: 1, info: 0 };
    assert.equal(describeBadge({ count: 2, highest: 'critical', bySeverity: counts, hidden: 0 }), '2 findings: 1 critical, 1 warning');
    assert.equal(
      describeBadge({ count: 2, highest: 'critical', bySeverity: counts, hidden: 1 }),
      '2 findings: 1 critical, 1 warning; 1 on nodes folded into this card',
    );
    assert.equal(
      describeBadge({ count: 2, highest: 'critical', bySeverity: counts, hidden: 2 }),
      '2 findings: 1 critical, 1 warning, on nodes folded into this card',
    );
  });

  it('reports how far a suggestion was verified', () => {
    assert.deepEqual(describeVerification({ method: 'hypopg', costBefore: 12_345, costAfter: 210, usedByPlanner: true }), {
      outcome: 'verified',
      text: 'Verified with HypoPG: cost 12,345 → 210 (−98%), planner uses it',
    });
    assert.deepEqual(describeVerification({ method: 'hypopg', costBefore: 500, costAfter: 500, usedByPlanner: false }), {
      outcome: 'rejected',
      text: 'Verified with HypoPG: cost 500 → 500 (±0%), planner does not use it',
    });
    assert.equal(
      describeVerification({ method: 'hypopg', costBefore: 12_345, costAfter: 210, costAfterCombined: 180, usedByPlanner: true }).text,
      'Verified with HypoPG: cost 12,345 → 210 (−98%), planner uses it, with the suggestions above: cost 180',
    );
    assert.deepEqual(describeVerification({ method: 'unverified', note: 'HypoPG is not installed: CREATE EXTENSION hypopg' }), {
      outcome: 'unverified',
      text: 'Unverified: HypoPG is not installed: CREATE EXTENSION hypopg',
    });
    assert.equal(describeVerification({ method: 'unverified' }).text, 'Unverified');
    assert.deepEqual(describeVerification({ method: 'rolled-back-index', costBefore: 5031, costAfter: 6, usedByPlanner: true }), {
      outcome: 'verified',
      text: 'Verified with an index built and rolled back: cost 5,031 → 6.00 (−99.9%), planner uses it',
    });
  });
});
