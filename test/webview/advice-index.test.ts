import * as assert from 'node:assert/strict';
import type { PlanAdvice } from '../../src/core/advice/advice-model';
import { AdviceIndex, countSeverities } from '../../webview-ui/src/advice-index';
import { PlanIndex, TreeVisibility } from '../../webview-ui/src/visible-tree';
import { TOPN, loadPg15Plan, topnAdvice, topnFindings } from './sample-advice';

describe('advice looked up for the page', () => {
  const plan = loadPg15Plan(TOPN.plan);

  it('orders findings by impact whatever order they come in, and splits off the plan-wide ones', () => {
    const shuffled: PlanAdvice = { ...topnAdvice(), findings: [...topnFindings()].reverse() };
    const advice = new AdviceIndex(shuffled, plan);
    assert.deepEqual(
      advice.findings.map((finding) => finding.impactMs),
      [33.1, 19.9, 12.8, 2.4],
    );
    assert.deepEqual(
      advice.planWide.map((finding) => finding.ruleId),
      ['jit-overhead'],
    );
    assert.deepEqual(
      advice.findingsOn(TOPN.productsScanId).map((finding) => finding.ruleId),
      ['seq-scan-large-table'],
    );
    assert.deepEqual(advice.findingsOn(0), []);
  });

  it('finds suggestions by id and by each node they are for', () => {
    const advice = new AdviceIndex(topnAdvice(), plan);
    assert.equal(advice.suggestion(TOPN.suggestionId)?.name, TOPN.suggestionId);
    assert.equal(advice.suggestion('idx_missing'), undefined);
    assert.deepEqual(
      advice.suggestionsFor(TOPN.sortId).map((suggestion) => suggestion.id),
      [TOPN.suggestionId],
    );
    assert.deepEqual(advice.suggestionsFor(TOPN.gatherMergeId), []);
  });

  it('tells no advice yet apart from advice that found nothing', () => {
    assert.equal(new AdviceIndex(undefined, plan).hasAdvice, false);
    const empty = new AdviceIndex({ findings: [], suggestions: [] }, plan);
    assert.equal(empty.hasAdvice, true);
    assert.deepEqual(empty.findings, []);
  });

  it('ignores findings on nodes the plan does not have', () => {
    const advice = new AdviceIndex({ findings: [{ ...topnFindings()[1], nodeId: 99, nodeIds: [99] }], suggestions: [] }, plan);
    const index = new PlanIndex(plan);
    assert.equal(advice.badges(TreeVisibility.initial(index).build(), index).size, 0);
  });

  it('badges the card drawing each finding: its node, or the collapsed ancestor or group hiding it', () => {
    const advice = new AdviceIndex(topnAdvice(), plan);
    const index = new PlanIndex(plan);
    const visibility = TreeVisibility.initial(index);
    const open = advice.badges(visibility.build(), index);
    assert.deepEqual(open.get(`n${TOPN.productsScanId}`), {
      count: 1,
      highest: 'critical',
      bySeverity: { critical: 1, warning: 0, info: 0 },
      hidden: 0,
    });
    assert.equal(open.get(`n${TOPN.sortId}`)?.highest, 'warning');
    assert.equal(open.get(`n${TOPN.gatherMergeId}`)?.highest, 'info');
    assert.equal(open.size, 3);

    // Collapsing the Sort hides the scan: the Sort's card counts both, the worst colour first.
    visibility.toggle(TOPN.sortId);
    const collapsed = advice.badges(visibility.build(), index);
    assert.deepEqual(collapsed.get(`n${TOPN.sortId}`), {
      count: 2,
      highest: 'critical',
      bySeverity: { critical: 1, warning: 1, info: 0 },
      hidden: 1,
    });
    assert.equal(collapsed.has(`n${TOPN.productsScanId}`), false);
  });

  it('shows a finding about several nodes (partitions of one table) on each of them, and once in the list', () => {
    const partitions = loadPg15Plan('partitions-100-n104');
    const appendId = partitions.nodes.find((node) => node.childIds.length > 50)!.id;
    const members = partitions.nodes[appendId].childIds.slice(0, 60);
    const advice = new AdviceIndex(
      { findings: [{ ...topnFindings()[1], nodeId: members[0], nodeIds: members }], suggestions: [] },
      partitions,
    );
    assert.equal(advice.findings.length, 1);
    for (const id of members) assert.deepEqual(advice.findingsOn(id), advice.findings);
    assert.deepEqual(advice.findingsOn(partitions.nodes[appendId].childIds[70]), []);
    assert.deepEqual(advice.findingsUnder([members[59]], partitions), advice.findings);
    const index = new PlanIndex(partitions);
    const badges = advice.badges(TreeVisibility.initial(index).build(), index);
    const total = [...badges.values()].reduce((sum, badge) => sum + badge.count, 0);
    assert.equal(total, members.length, 'one badge count per node it is about');
  });

  it('counts findings inside a folded group, subtrees included, on the group card', () => {
    const partitions = loadPg15Plan('partitions-100-n104');
    const index = new PlanIndex(partitions);
    const appendId = partitions.nodes.find((node) => node.childIds.length > 50)!.id;
    const folded = index.family(appendId).grouped;
    const advice = new AdviceIndex(
      {
        findings: [
          { ...topnFindings()[2], nodeId: folded[0], nodeIds: [folded[0]] },
          { ...topnFindings()[3], nodeId: folded[7], nodeIds: [folded[7]] },
        ],
        suggestions: [],
      },
      partitions,
    );
    const badges = advice.badges(TreeVisibility.initial(index).build(), index);
    assert.deepEqual(badges.get(`g${appendId}`), {
      count: 2,
      highest: 'warning',
      bySeverity: { critical: 0, warning: 1, info: 1 },
      hidden: 2,
    });
    assert.deepEqual(
      advice.findingsUnder(folded, partitions).map((finding) => finding.nodeId),
      [folded[0], folded[7]],
    );
  });

  it('counts findings by severity', () => {
    assert.deepEqual(countSeverities(topnFindings()), { critical: 1, warning: 2, info: 1 });
    assert.deepEqual(countSeverities([]), { critical: 0, warning: 0, info: 0 });
  });
});
