/**
 * Properties every analysed plan must have, checked on every plan fixture: tree structure, time
 * accounting, buffer accounting, serialisability.
 */
import { strict as assert } from 'node:assert';
import { analyzePlan, parseExplainJson } from '../../../src/core/plan';
import type { AnalyzedPlan, NodeBuffers, RawPlanNode } from '../../../src/core/plan';
import { planFixtures, readText } from './fixture-files';

/** EXPLAIN prints times to the microsecond: each node's inclusive time can be off by half of one per loop. */
function roundingTolerance(plan: AnalyzedPlan): number {
  return plan.nodes.reduce((sum, node) => sum + 0.0005 * Math.max(node.loops, 1) * 2, 1e-6);
}

describe('plan invariants, on every fixture', () => {
  for (const fixture of planFixtures()) {
    describe(fixture.name, () => {
      const text = readText(fixture.jsonPath);
      const raw = parseExplainJson(text);
      const plan = analyzePlan(raw);

      it('numbers nodes in preorder of the raw tree, with consistent parent, child and depth links', () => {
        const stack: Array<{ node: RawPlanNode; parentId: number | null; depth: number }> = [{ node: raw.Plan, parentId: null, depth: 0 }];
        let id = 0;
        while (stack.length > 0) {
          const { node, parentId, depth } = stack.pop()!;
          const analyzed = plan.nodes[id];
          assert.equal(analyzed.id, id);
          assert.equal(analyzed.nodeType, node['Node Type'], `node ${id}`);
          assert.equal(analyzed.parentId, parentId, `parent of node ${id}`);
          assert.equal(analyzed.depth, depth, `depth of node ${id}`);
          assert.equal(analyzed.childIds.length, node.Plans?.length ?? 0, `children of node ${id}`);
          for (const childId of analyzed.childIds) assert.equal(plan.nodes[childId].parentId, id);
          const children = node.Plans ?? [];
          for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], parentId: id, depth: depth + 1 });
          id++;
        }
        assert.equal(plan.nodes.length, id);
      });

      it('keeps every exclusive value between 0 and the inclusive one', () => {
        for (const node of plan.nodes) {
          if (node.exclusiveMs === undefined) {
            assert.equal(node.inclusiveMs, undefined, `node ${node.id} has inclusive but no exclusive time`);
            continue;
          }
          assert.ok(node.exclusiveMs >= 0, `node ${node.id}: exclusiveMs ${node.exclusiveMs}`);
          assert.ok(
            node.exclusiveMs <= node.inclusiveMs! + 1e-9,
            `node ${node.id}: exclusive ${node.exclusiveMs} > inclusive ${node.inclusiveMs}`,
          );
          if (node.exclusiveShare !== undefined) assert.ok(node.exclusiveShare >= 0 && node.exclusiveShare <= 1);
          for (const [key, value] of Object.entries(node.buffers ?? {})) {
            assert.ok(Number.isInteger(value) && value >= 0, `node ${node.id}: buffers.${key} = ${value}`);
          }
        }
      });

      if (plan.nodes[0].inclusiveMs !== undefined) {
        it('splits the root time among the nodes: exclusive times add up to it within rounding', () => {
          const root = plan.nodes[0];
          const sum = plan.nodes.reduce((total, node) => total + (node.exclusiveMs ?? 0), 0);
          const tolerance = roundingTolerance(plan);
          assert.ok(
            Math.abs(sum - root.inclusiveMs!) <= tolerance,
            `exclusive times add up to ${sum}, root took ${root.inclusiveMs} (tolerance ${tolerance})`,
          );
        });
      }

      if (plan.hasBuffers) {
        it('splits the root buffers among the nodes exactly', () => {
          const rootRaw = raw.Plan;
          const sum = (pick: (b: NodeBuffers) => number): number =>
            plan.nodes.reduce((total, node) => total + (node.buffers ? pick(node.buffers) : 0), 0);
          assert.equal(
            sum((b) => b.sharedHit),
            rootRaw['Shared Hit Blocks'],
          );
          assert.equal(
            sum((b) => b.sharedRead),
            rootRaw['Shared Read Blocks'],
          );
          assert.equal(
            sum((b) => b.tempWritten),
            rootRaw['Temp Written Blocks'],
          );
        });
      }

      if (!plan.analyzed) {
        it('has no time without ANALYZE, and no node executed', () => {
          for (const node of plan.nodes) {
            assert.equal(node.executed, false);
            assert.equal(node.inclusiveMs, undefined);
            assert.equal(node.actualRowsTotal, undefined);
            assert.equal(node.planRowsTotal, node.planRows);
          }
          assert.equal(plan.totalMs, undefined);
        });
      }

      it('serialises to JSON without the raw subtrees (size linear in the input)', () => {
        const json = JSON.stringify(plan);
        assert.ok(!json.includes('"Plans"'), 'a node\'s raw keys must not include its "Plans"');
        assert.ok(json.length < text.length * 3, `analysed plan is ${json.length} bytes for ${text.length} bytes of input`);
      });
    });
  }
});
