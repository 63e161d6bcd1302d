/**
 * What holds for the rules on every plan fixture of the repository (the rule plans and the
 * plan-core fixtures from PostgreSQL 15 and PGlite 18): documentation in step with the code,
 * well-formed findings in the documented order, nothing that needs actual rows on estimate-only
 * plans.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Finding } from '../../../src/core/advice/advice-model';
import { evaluateRules, RULES } from '../../../src/core/advice/rules';
import { SEVERITY_RANK } from '../../../src/core/advice/rules/rule';
import { executionTimeOf, IMPACT_FLOOR_MS, IMPACT_FLOOR_SHARE, planAdvice } from '../../../src/core/advice/finding-ranking';
import { allPlanPaths, loadPlan, PLANS_DIR, type RulePlan } from './rule-fixtures';

const RULES_SOURCE_DIR = join(__dirname, '..', '..', '..', 'src', 'core', 'advice', 'rules');

/** Every export of every file of the rules folder, by name. */
function ruleExports(): Map<string, unknown> {
  const exports = new Map<string, unknown>();
  for (const file of readdirSync(RULES_SOURCE_DIR).filter((f) => f.endsWith('.ts'))) {
    for (const [name, value] of Object.entries(require(join(RULES_SOURCE_DIR, file)) as Record<string, unknown>)) exports.set(name, value);
  }
  return exports;
}

describe('warning rules: invariants over every plan fixture', () => {
  const plans: RulePlan[] = allPlanPaths().map((path) => loadPlan(path, relative(PLANS_DIR, path)));
  const ruleIds = new Set(RULES.map((r) => r.id));

  it('finds the plans', () => {
    assert.ok(plans.length >= 80, `only ${plans.length} plans found`);
    assert.ok(
      plans.some((p) => !p.plan.analyzed),
      'some plans are estimate-only',
    );
  });

  it('rule ids are unique, and every superseding rule exists', () => {
    assert.equal(ruleIds.size, RULES.length);
    for (const rule of RULES)
      for (const id of rule.supersededBy ?? []) assert.ok(ruleIds.has(id), `${rule.id} names an unknown rule ${id}`);
  });

  it('every documented threshold is an exported constant of the same value', () => {
    const exports = ruleExports();
    for (const rule of RULES) {
      for (const threshold of rule.thresholds) {
        assert.equal(exports.get(threshold.name), threshold.value, `${rule.id}: ${threshold.name}`);
        assert.ok(threshold.meaning.length > 0);
      }
    }
  });

  for (const plan of plans) {
    it(plan.name, () => {
      const findings = evaluateRules(plan.plan);
      const { totalMs = 0, planningMs = 0 } = plan.plan;
      for (const f of findings) {
        const where = `${f.ruleId} "${f.title}"`;
        assert.ok(ruleIds.has(f.ruleId), where);
        assert.ok(f.nodeId === null || (Number.isInteger(f.nodeId) && f.nodeId >= 0 && f.nodeId < plan.plan.nodes.length), where);
        assert.deepEqual(f.suggestionIds, []);
        assert.ok(Number.isFinite(f.impactMs) && f.impactMs >= 0, `${where}: impact ${f.impactMs}`);
        // Nothing can save more time than the statement took to plan and run.
        assert.ok(f.impactMs <= totalMs + planningMs + 0.001, `${where}: impact ${f.impactMs} over ${totalMs + planningMs} ms`);
        for (const text of [f.title, f.explanation, f.fix]) {
          assert.ok(text.length > 0 && !/undefined|NaN|Infinity|\[object/.test(text), `${where}: ${text}`);
        }
        assert.ok(!/CREATE INDEX/i.test(f.fix), `${where}: a rule wrote DDL: ${f.fix}`);
        assert.deepEqual(f.nodeIds, f.nodeId === null ? [] : [f.nodeId], where);
      }
      assertSorted(findings);
      if (!plan.plan.analyzed) {
        const needsActuals = new Set(RULES.filter((r) => r.needs === 'actuals').map((r) => r.id));
        assert.deepEqual(
          findings.filter((f) => needsActuals.has(f.ruleId)).map((f) => f.ruleId),
          [],
          'rules that need actuals stay silent on estimates',
        );
        assert.ok(
          findings.every((f) => f.severity === 'info'),
          'findings from estimates are at most info',
        );
      }
      const advice = planAdvice(plan.plan, findings);
      const executionMs = executionTimeOf(plan.plan);
      const covered = advice.findings.flatMap((f) => f.nodeIds.map((id) => `${f.ruleId}@${id}`));
      assert.equal(new Set(covered).size, covered.length, 'a node is in one group per rule at most');
      for (const f of advice.findings) {
        assert.equal(f.nodeId, f.nodeIds[0] ?? null, 'the lead node comes first');
        if (executionMs !== undefined && f.impactMs < Math.max(IMPACT_FLOOR_MS, IMPACT_FLOOR_SHARE * executionMs)) {
          assert.equal(f.severity, 'info', `${f.ruleId}: ${f.impactMs} ms at stake is under the floor`);
        }
      }
      assertSorted(advice.findings);
      assert.equal(advice.fixFirst?.ruleId, advice.findings.find((f) => f.severity !== 'info')?.ruleId);
      const perNodeAndRule = new Set(findings.map((f) => `${f.ruleId}@${f.nodeId}`));
      assert.equal(perNodeAndRule.size, findings.length, 'one finding per rule and node');
      for (const rule of RULES) {
        for (const superseding of rule.supersededBy ?? []) {
          const covered = new Set(findings.filter((f) => f.ruleId === superseding).map((f) => f.nodeId));
          assert.ok(
            !findings.some((f) => f.ruleId === rule.id && f.nodeId !== null && covered.has(f.nodeId)),
            `${rule.id} reported beside ${superseding}`,
          );
        }
      }
    });
  }
});

function assertSorted(findings: Finding[]): void {
  for (let i = 1; i < findings.length; i++) {
    const [a, b] = [findings[i - 1], findings[i]];
    assert.ok(a.impactMs >= b.impactMs, `sorted by impact: ${a.impactMs} before ${b.impactMs}`);
    if (a.impactMs === b.impactMs) assert.ok(SEVERITY_RANK[a.severity] >= SEVERITY_RANK[b.severity], 'then by severity');
  }
}
