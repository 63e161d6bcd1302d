/**
 * Every plan under test/fixtures/plans/<source>/NAME.json against the metrics in NAME.expected.json,
 * which were worked out by hand from the plan's raw numbers ("_notes" explains the non-obvious
 * ones). Adding a plan and its expected file adds a test.
 */
import { strict as assert } from 'node:assert';
import { analyzePlan, parseExplainJson } from '../../../src/core/plan';
import { hasExpected, partialMismatches, planFixtures, readText } from './fixture-files';

interface Expected {
  _notes?: Record<string, string>;
  nodeCount: number;
  nodes: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

describe('plan fixtures: analyzePlan against hand-derived metrics', () => {
  const fixtures = planFixtures();

  it('finds the fixtures', () => {
    assert.ok(fixtures.length >= 20, `only ${fixtures.length} plan fixtures found`);
  });

  for (const fixture of fixtures) {
    it(fixture.name, () => {
      assert.ok(hasExpected(fixture), `${fixture.expectedPath} is missing: each plan fixture needs the metrics expected from it`);
      const expected = JSON.parse(readText(fixture.expectedPath)) as Expected;
      assert.equal(typeof expected.nodeCount, 'number', 'the expected file must give "nodeCount"');
      assert.ok(expected.nodes && Object.keys(expected.nodes).length > 0, 'the expected file must give metrics of some "nodes"');

      const plan = analyzePlan(parseExplainJson(readText(fixture.jsonPath)));
      const { _notes, nodeCount, nodes, ...planLevel } = expected;
      const mismatches = [
        ...(plan.nodes.length === nodeCount ? [] : [`nodeCount: expected ${nodeCount}, got ${plan.nodes.length}`]),
        ...partialMismatches(plan, planLevel),
        ...Object.entries(nodes).flatMap(([id, values]) => partialMismatches(plan.nodes[Number(id)], values, `nodes.${id}`)),
      ];
      assert.deepEqual(mismatches, []);
    });
  }
});
