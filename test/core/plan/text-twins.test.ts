import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePlan, parseExplainJson } from '../../../src/core/plan';
import type { RawPlanNode } from '../../../src/core/plan';

/**
 * Each text plan captured by test/fixtures/capture-text-plans.ts against its JSON twin (the same
 * statement and options, run right after): the same tree, and every key the text reader sets holds
 * the JSON's value. Times, memory and I/O timings come from two runs and may differ; so may the
 * rows of parallel workers, which depend on how the work was shared out.
 */
const ROOT = join(__dirname, '../../fixtures/plans/text-twins');
const RUN_DEPENDENT = /Time|Memory|Peak|Space Used|Disk Usage|Sort Space|Query Identifier|Average|Blocks|WAL/;
/** Keys whose value is only a sum or average across a run that parallel workers split differently each time. */
const PARALLEL_DEPENDENT = new Set([
  'Actual Rows',
  'Actual Loops',
  'Rows Removed by Filter',
  'Workers',
  'Shared Hit Blocks',
  'Shared Read Blocks',
]);

function flatten(root: RawPlanNode): RawPlanNode[] {
  const out: RawPlanNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = (node.Plans ?? []).length - 1; i >= 0; i--) stack.push(node.Plans![i]);
  }
  return out;
}

function compareValue(where: string, text: unknown, json: unknown): void {
  if (typeof text === 'number' && typeof json === 'number') {
    assert.ok(Math.abs(text - json) <= Math.max(1e-9, Math.abs(json) * 1e-9), `${where}: text ${text}, JSON ${json}`);
  } else if (text !== null && typeof text === 'object' && json !== null && typeof json === 'object' && !Array.isArray(text)) {
    for (const [key, value] of Object.entries(text)) {
      if (RUN_DEPENDENT.test(key)) continue;
      compareValue(`${where}.${key}`, value, (json as Record<string, unknown>)[key]);
    }
  } else {
    assert.deepEqual(text, json, where);
  }
}

for (const target of ['pg15', 'pglite18']) {
  const dir = join(ROOT, target);
  const names = readdirSync(dir)
    .filter((file) => file.endsWith('.txt') && !file.includes('.psql-'))
    .map((file) => file.slice(0, -'.txt'.length));

  describe(`text plans read like their JSON twins (${target})`, () => {
    it('has captured plans to compare', () => assert.ok(names.length >= 15, `only ${names.length} plans`));

    for (const name of names) {
      it(name, () => {
        const text = parseExplainJson(readFileSync(join(dir, `${name}.txt`), 'utf8'));
        const json = parseExplainJson(readFileSync(join(dir, `${name}.json`), 'utf8'));
        const textNodes = flatten(text.Plan);
        const jsonNodes = flatten(json.Plan);
        assert.deepEqual(
          textNodes.map((n) => `${n['Node Type']} ${n['Parent Relationship'] ?? ''} ${n['Subplan Name'] ?? ''}`),
          jsonNodes.map((n) => `${n['Node Type']} ${n['Parent Relationship'] ?? ''} ${n['Subplan Name'] ?? ''}`),
        );
        const parallel = jsonNodes.some((n) => n['Node Type'] === 'Gather' || n['Node Type'] === 'Gather Merge');
        textNodes.forEach((node, i) => {
          for (const [key, value] of Object.entries(node)) {
            if (key === 'Plans' || RUN_DEPENDENT.test(key) || (parallel && PARALLEL_DEPENDENT.has(key))) continue;
            assert.ok(key in jsonNodes[i], `node ${i} (${node['Node Type']}): the text gave "${key}", the JSON has no such key`);
            compareValue(`node ${i} (${node['Node Type']}) ${key}`, value, jsonNodes[i][key]);
          }
        });
        // What the text shows must not be lost: the JSON's conditions, sort and hash details are all there.
        for (const key of [
          'Filter',
          'Index Cond',
          'Hash Cond',
          'Join Filter',
          'Sort Key',
          'Sort Method',
          'Hash Batches',
          'Subplan Name',
          'Output',
        ]) {
          jsonNodes.forEach((node, i) => {
            if (node[key] !== undefined)
              assert.ok(key in textNodes[i], `node ${i} (${node['Node Type']}): "${key}" missing from the text plan`);
          });
        }
        for (const key of ['Planning Time', 'Execution Time', 'Settings', 'JIT']) {
          assert.equal(key in text, key in json, `top-level "${key}"`);
        }
        if (json.Triggers?.length) {
          // Without VERBOSE the text names a foreign key's trigger by its constraint only, and the
          // relation only when the statement touched several.
          const triggers = (list: typeof json.Triggers = []) => list.map((t) => [t['Constraint Name'] ?? t['Trigger Name'], t.Calls]);
          assert.deepEqual(triggers(text.Triggers), triggers(json.Triggers));
          text.Triggers!.forEach((t, i) => t.Relation === undefined || assert.equal(t.Relation, json.Triggers![i].Relation));
        }
        if (json.Settings) assert.deepEqual(text.Settings, json.Settings);

        const a = analyzePlan(text);
        const b = analyzePlan(json);
        assert.equal(a.analyzed, b.analyzed);
        assert.equal(a.nodes.length, b.nodes.length);
        a.nodes.forEach((node, i) => {
          assert.equal(node.label, b.nodes[i].label, `label of node ${i}`);
          assert.equal(node.relation, b.nodes[i].relation);
          assert.equal(node.index, b.nodes[i].index);
          assert.equal(node.planRows, b.nodes[i].planRows);
          assert.equal(node.inclusiveMs === undefined, b.nodes[i].inclusiveMs === undefined, `node ${i} timed in one and not the other`);
          assert.equal(node.buffers === undefined, b.nodes[i].buffers === undefined, `node ${i} buffers in one and not the other`);
        });
      });
    }
  });
}

describe('text and JSON plans inside real psql frames (pg15)', () => {
  const dir = join(ROOT, 'pg15');
  const framed = readdirSync(dir).filter((file) => file.includes('.psql-'));
  it('has captured psql output', () => assert.ok(framed.length >= 10));
  for (const file of framed) {
    it(file, () => {
      const base = file.slice(0, file.indexOf('.psql-'));
      const plan = parseExplainJson(readFileSync(join(dir, file), 'utf8'));
      const twin = parseExplainJson(readFileSync(join(dir, `${base}.json`), 'utf8'));
      assert.deepEqual(
        flatten(plan.Plan).map((n) => [n['Node Type'], n['Relation Name'], n['Plan Rows'], n['Total Cost']]),
        flatten(twin.Plan).map((n) => [n['Node Type'], n['Relation Name'], n['Plan Rows'], n['Total Cost']]),
      );
      assert.equal(typeof plan['Execution Time'], 'number');
    });
  }
});
