/**
 * Findings grouped by cause and ranked by the time a fix could save, on real plans: a query over a
 * table of 240 partitions (PostgreSQL 15, test/fixtures/capture-partition-plans.ts), the rule
 * fixtures; the execution target as the headline; what to fix first; suggestions linked to groups.
 * Expected numbers come from the raw EXPLAIN output.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { IndexSuggestion } from '../../../src/core/advice/advice-model';
import { commonParentName, partitionFamilies } from '../../../src/core/advice/finding-groups';
import {
  DEFAULT_EXECUTION_TARGET_MS,
  EXECUTION_FAR_OVER_MULTIPLE,
  executionHeadline,
  IMPACT_CRITICAL_SHARE,
  IMPACT_FLOOR_MS,
  IMPACT_FLOOR_SHARE,
  planAdvice,
  severityByImpact,
} from '../../../src/core/advice/finding-ranking';
import { evaluateRules } from '../../../src/core/advice/rules';
import { withSuggestions } from '../../../src/core/analyze';
import { formatMs } from '../../../src/core/format';
import { loadPlan, num, PLANS_DIR, rawNode, rulePlan } from './rule-fixtures';

const partitioned = () => loadPlan(join(PLANS_DIR, 'partitions', 'filter-240-pg15.json'), 'partitions/filter-240-pg15');

function suggestionOn(nodeIds: number[], name = 'orders_status_total_idx'): IndexSuggestion {
  return {
    id: name,
    table: 'orders',
    columns: [{ name: 'status', descending: false }],
    include: [],
    kinds: ['single'],
    name,
    concurrently: true,
    ddl: `CREATE INDEX CONCURRENTLY ${name} ON orders (status);`,
    reason: 'test',
    nodeIds,
    verification: { method: 'hypopg', costBefore: 1000, costAfter: 10, usedByPlanner: true },
  };
}

describe('findings grouped by cause', () => {
  it('240 partition scans under one Append are one finding listing its 240 nodes', () => {
    const plan = partitioned();
    const scans = plan.rawNodes.map((n, id) => ({ n, id })).filter(({ n }) => n['Node Type'] === 'Seq Scan');
    assert.equal(scans.length, 240, 'the fixture scans 240 partitions');
    const perNode = evaluateRules(plan.plan).filter((f) => f.ruleId === 'rows-removed-by-filter');
    assert.equal(perNode.length, 240, 'the rule fires on every partition');

    const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
    const grouped = advice.findings.filter((f) => f.ruleId === 'rows-removed-by-filter');
    assert.equal(grouped.length, 1);
    const [finding] = grouped;
    assert.deepEqual(
      [...finding.nodeIds].sort((a, b) => a - b),
      scans.map((s) => s.id),
    );
    assert.equal(finding.nodeId, finding.nodeIds[0]);
    const sum = perNode.reduce((s, f) => s + f.impactMs, 0);
    assert.ok(Math.abs(finding.impactMs - Math.min(sum, plan.plan.totalMs!)) < 0.01, `${finding.impactMs} vs ${sum}`);
    assert.ok(finding.title.startsWith('240 partitions of orders: Seq Scan on orders_p'), finding.title);
    assert.ok(finding.title.endsWith('and the same on 239 others'), finding.title);
    assert.ok(finding.indexNeed!.endsWith('on the partitioned table orders (which creates it on every partition)'), finding.indexNeed);
    assert.ok(!/orders_p\d/.test(finding.indexNeed!), 'the index is asked of the parent, not of a partition');
    const execution = num(plan.raw, 'Execution Time');
    assert.equal(finding.severity, finding.impactMs >= IMPACT_CRITICAL_SHARE * execution ? 'critical' : 'warning');
  });

  it('tells the partitions of a table by the Append above them and names the parent', () => {
    const plan = partitioned();
    const families = partitionFamilies(plan.plan);
    const { id: appendId } = rawNode(plan, (n) => n['Node Type'] === 'Append');
    assert.equal(families.size, 240);
    for (const family of families.values()) assert.deepEqual(family, { appendId, parent: 'orders' });
  });

  it('derives the parent name from whole words without digits', () => {
    assert.equal(commonParentName(['orders_p2024_01', 'orders_p2024_02']), 'orders');
    assert.equal(commonParentName(['measurements_y2006m02', 'measurements_y2006m03']), 'measurements');
    assert.equal(commonParentName(['sales_eu_2024', 'sales_us_2024']), 'sales');
    assert.equal(commonParentName(['line_items_1', 'line_items_2']), 'line_items');
    assert.equal(commonParentName(['a2024', 'b2024']), undefined);
    assert.equal(commonParentName(['alpha', 'beta']), undefined);
  });

  it('leaves single findings as the rule wrote them', () => {
    const plan = rulePlan('seq-scan-large-table', 'triggers-pg15');
    const raw = evaluateRules(plan.plan);
    const advice = planAdvice(plan.plan, raw);
    assert.equal(advice.findings.length, raw.length);
    for (const finding of advice.findings) assert.ok(raw.some((r) => r.title === finding.title && r.nodeId === finding.nodeId));
  });
});

describe('severity and order from the time a fix could save', () => {
  const cases: Array<[string, Parameters<typeof severityByImpact>, string]> = [
    ['a 0.05 ms node in a 10 ms statement', ['critical', 0.05, 10], 'info'],
    ['5 ms of a 1 s statement (0.5%)', ['critical', 5, 1000], 'info'],
    ['just under the 1 ms floor', ['warning', IMPACT_FLOOR_MS - 0.001, 2], 'info'],
    ['just under 1% of the execution', ['warning', IMPACT_FLOOR_SHARE * 10_000 - 0.01, 10_000], 'info'],
    ['a fifth of the execution', ['critical', 20, 100], 'warning'],
    ['a quarter of the execution', ['warning', IMPACT_CRITICAL_SHARE * 100, 100], 'critical'],
    ['nine tenths, from a rule that said warning', ['warning', 90, 100], 'critical'],
    ['a rule note stays a note', ['info', 90, 100], 'info'],
    ['no execution time (estimates): the rule decides', ['warning', 0, undefined], 'warning'],
  ];
  for (const [what, args, expected] of cases) {
    it(`${what}: ${expected}`, () => assert.equal(severityByImpact(...args), expected));
  }

  it('a top-N sort is ranked by its own time, not the scan below it', () => {
    for (const server of ['pg15', 'pglite18']) {
      const plan = rulePlan('top-n-sort-without-index', `triggers-${server}`);
      const { node: sort, id } = rawNode(plan, (n) => n['Node Type'] === 'Sort');
      const finding = evaluateRules(plan.plan).find((f) => f.ruleId === 'top-n-sort-without-index' && f.nodeId === id)!;
      const sortOwnMs = plan.plan.nodes[id].exclusiveMs!;
      assert.ok(finding.impactMs <= sortOwnMs + 0.001, `${finding.impactMs} ms at stake for a sort of ${sortOwnMs} ms`);
      assert.ok(num(sort, 'Actual Total Time') > sortOwnMs, 'the sort has a scan below it');
    }
  });
});

describe('the headline and what to fix first', () => {
  for (const server of ['pg15', 'pglite18']) {
    it(`${server}: a statement over the target: the headline, not a finding`, () => {
      const plan = rulePlan('execution-over-target', `triggers-${server}`);
      const executionMs = num(plan.raw, 'Execution Time');
      const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
      assert.equal(advice.headline!.executionMs, executionMs);
      assert.equal(advice.headline!.targetMs, DEFAULT_EXECUTION_TARGET_MS);
      assert.equal(advice.headline!.status, executionMs >= DEFAULT_EXECUTION_TARGET_MS * EXECUTION_FAR_OVER_MULTIPLE ? 'far-over' : 'over');
      assert.ok(advice.headline!.text.startsWith(`Execution took ${formatMs(executionMs)}, `), advice.headline!.text);
      assert.ok(advice.headline!.text.endsWith(`the ${formatMs(DEFAULT_EXECUTION_TARGET_MS)} target`));
      assert.ok(!advice.findings.some((f) => f.ruleId === 'execution-over-target'));
    });

    it(`${server}: a quick statement is within the target, and the target is the caller's`, () => {
      const plan = rulePlan('execution-over-target', `clean-${server}`);
      const executionMs = num(plan.raw, 'Execution Time');
      assert.equal(executionHeadline(plan.plan)!.status, 'within');
      const tight = executionHeadline(plan.plan, executionMs / 2)!;
      assert.equal(tight.status, 'over');
      assert.equal(tight.text, `Execution took ${formatMs(executionMs)}, 2.0 times the ${formatMs(executionMs / 2)} target`);
    });
  }

  it('an estimate-only plan has no headline', () => {
    const plan = rulePlan('top-n-sort-without-index', 'triggers-estimate-pg15');
    assert.equal(executionHeadline(plan.plan), undefined);
    assert.equal(planAdvice(plan.plan, evaluateRules(plan.plan)).headline, undefined);
  });

  it('fix first: the partition group, with its expected gain as time and share', () => {
    const plan = partitioned();
    const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
    const top = advice.findings[0];
    const executionMs = num(plan.raw, 'Execution Time');
    assert.equal(top.ruleId, 'rows-removed-by-filter');
    assert.equal(advice.fixFirst!.ruleId, top.ruleId);
    assert.deepEqual(advice.fixFirst!.nodeIds, top.nodeIds);
    assert.equal(advice.fixFirst!.expectedGainMs, top.impactMs);
    assert.ok(Math.abs(advice.fixFirst!.expectedGainShare! - top.impactMs / executionMs) < 1e-9);
    assert.ok(advice.fixFirst!.text.startsWith(`Fix first: ${top.title} (up to ${formatMs(top.impactMs)}, `), advice.fixFirst!.text);
  });

  it('nothing to fix first when every finding is under the floor', () => {
    const plan = rulePlan('execution-over-target', 'clean-pg15');
    const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
    assert.ok(advice.findings.every((f) => f.severity === 'info'));
    assert.equal(advice.fixFirst, undefined);
  });
});

describe('findings linked to the index advisor', () => {
  it('a grouped finding points to the suggestion for any of its nodes; fix first names it', () => {
    const plan = partitioned();
    const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
    const group = advice.findings[0];
    const linked = withSuggestions(advice, [suggestionOn(group.nodeIds.slice(100, 102))]);
    assert.deepEqual(linked.findings[0].suggestionIds, ['orders_status_total_idx']);
    assert.ok(
      linked.findings[0].fix.startsWith('An index would help: see the suggestion orders_status_total_idx. '),
      linked.findings[0].fix,
    );
    assert.ok(linked.findings[0].fix.endsWith(group.remedy));
    assert.ok(linked.fixFirst!.text.endsWith(': create the index orders_status_total_idx'), linked.fixFirst!.text);
  });

  it('without a suggestion, a finding an index could fix says that none helps and what does', () => {
    const plan = partitioned();
    const linked = withSuggestions(planAdvice(plan.plan, evaluateRules(plan.plan)), []);
    const finding = linked.findings[0];
    assert.deepEqual(finding.suggestionIds, []);
    assert.ok(
      finding.fix.startsWith(`No index helps here: the index advisor found none the planner would use for ${finding.indexNeed}. `),
      finding.fix,
    );
    assert.ok(finding.fix.includes('ANALYZE'), finding.fix);
  });

  it('an unverified suggestion is named as such', () => {
    const plan = rulePlan('seq-scan-large-table', 'triggers-pg15');
    const advice = planAdvice(plan.plan, evaluateRules(plan.plan));
    const target = advice.findings.find((f) => f.ruleId === 'seq-scan-large-table')!;
    const suggestion = {
      ...suggestionOn(target.nodeIds, 'items_sku_idx'),
      verification: { method: 'unverified' as const, note: 'no HypoPG' },
    };
    const linked = withSuggestions(advice, [suggestion]).findings.find((f) => f.ruleId === 'seq-scan-large-table')!;
    assert.ok(linked.fix.startsWith('An index would help: see the suggestion items_sku_idx (unverified). '), linked.fix);
  });
});
