/**
 * Properties every analysed plan must have, checked on every plan fixture: tree structure, time
 * accounting, buffer accounting, serialisability.
 */
import { strict as assert } from 'node:assert';
import { analyzePlan, parseExplainJson } from '../../../src/core/plan';
import type { AnalyzedPlan, NodeBuffers, PlanNode } from '../../../src/core/plan';
import { SUBPLAN_NODE_TYPE, TASK_NODE_TYPE, modelChildren, type ModelChild } from '../../../src/core/plan/citus';
import { planFixtures, readText } from './fixture-files';

/** Citus: the shown tasks of a scan ran at once; all but the longest overlap it, and count beside it in the sum of exclusive times. */
function taskOverlap(plan: AnalyzedPlan): number {
  let overlap = 0;
  for (const scan of plan.nodes) {
    const times = scan.childIds
      .map((id) => plan.nodes[id])
      .filter((child) => child.nodeType === TASK_NODE_TYPE)
      .map((task) => task.inclusiveMs ?? 0);
    if (times.length > 1) overlap += times.reduce((a, b) => a + b, 0) - Math.max(...times);
  }
  return overlap;
}

/** The raw node behind an analysed one, found by walking the model's children in preorder. */
function rawOf(root: ModelChild, target: PlanNode): Record<string, unknown> {
  const stack: ModelChild[] = [root];
  for (let id = 0; stack.length > 0; id++) {
    const node = stack.pop()!;
    if (id === target.id) return node.raw as Record<string, unknown>;
    const children = modelChildren(node.raw, node.kind);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  throw new Error(`node ${target.id} not found`);
}

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

      it('numbers nodes in preorder of the raw tree (Citus tasks and remote plans included), with consistent parent, child and depth links', () => {
        const stack: Array<{ node: ModelChild; parentId: number | null; depth: number }> = [
          { node: { raw: raw.Plan, kind: 'plan' }, parentId: null, depth: 0 },
        ];
        let id = 0;
        while (stack.length > 0) {
          const { node, parentId, depth } = stack.pop()!;
          const analyzed = plan.nodes[id];
          const children = modelChildren(node.raw, node.kind);
          const nodeType = { plan: node.raw['Node Type'], task: TASK_NODE_TYPE, subplan: SUBPLAN_NODE_TYPE }[node.kind];
          assert.equal(analyzed.id, id);
          assert.equal(analyzed.nodeType, nodeType, `node ${id}`);
          assert.equal(analyzed.parentId, parentId, `parent of node ${id}`);
          assert.equal(analyzed.depth, depth, `depth of node ${id}`);
          assert.equal(analyzed.childIds.length, children.length, `children of node ${id}`);
          for (const childId of analyzed.childIds) assert.equal(plan.nodes[childId].parentId, id);
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
        it('splits the root time among the nodes: exclusive times add up to it within rounding, plus the time Citus tasks overlapped', () => {
          const root = plan.nodes[0];
          const sum = plan.nodes.reduce((total, node) => total + (node.exclusiveMs ?? 0), 0);
          const tolerance = roundingTolerance(plan);
          assert.ok(
            Math.abs(sum - root.inclusiveMs! - taskOverlap(plan)) <= tolerance,
            `exclusive times add up to ${sum}, root took ${root.inclusiveMs} (tolerance ${tolerance})`,
          );
        });
      }

      if (plan.hasBuffers) {
        it("splits the root buffers among the nodes exactly, and each Citus remote plan root's among its nodes", () => {
          const rootRaw = raw.Plan;
          const sum = (pick: (b: NodeBuffers) => number, nodes: PlanNode[] = plan.nodes.filter((node) => !node.remote)): number =>
            nodes.reduce((total, node) => total + (node.buffers ? pick(node.buffers) : 0), 0);
          for (const task of plan.nodes.filter((node) => node.nodeType === TASK_NODE_TYPE)) {
            const remoteRoot = plan.nodes[task.childIds[0]];
            const end = plan.nodes.findIndex((node, id) => id > task.id && node.depth <= task.depth);
            const subtree = plan.nodes.slice(task.id + 1, end < 0 ? undefined : end);
            const rawRoot = rawOf({ raw: raw.Plan, kind: 'plan' }, remoteRoot);
            assert.equal(
              sum((b) => b.sharedHit, subtree),
              rawRoot['Shared Hit Blocks'],
            );
          }
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
