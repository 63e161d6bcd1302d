import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeExplainOutput } from '../../src/core/analyze';
import { formatCostRange, formatCount, formatMs, formatRows } from '../../src/core/format';
import type { AnalyzedPlan } from '../../src/core/plan';
import { COLOR_STYLE, MAX_DRAWN_DEPTH, PLAIN_STYLE, renderPlanText } from '../../src/cli/plan-text';

/**
 * The text view's columns, on real plans: every line has the tree at the header's "node" column,
 * each value right-aligned under its name, whatever the terminal width, depth or colour.
 */
const PLANS = join(__dirname, '../fixtures/plans');
const read = (path: string) => analyzeExplainOutput(readFileSync(join(PLANS, path), 'utf8'));

/** A chain of `depth` + 1 nodes, each a Result over the next, with times shrinking down the chain. */
function deepPlan(depth: number): string {
  let node =
    '{"Node Type":"Seq Scan","Relation Name":"t","Alias":"t","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":0.02,"Actual Rows":1,"Actual Loops":1,"Filter":"(a = 1)"}';
  for (let i = depth; i > 0; i--) {
    node = `{"Node Type":"Result","Startup Cost":0,"Total Cost":${i + 1},"Plan Rows":1,"Plan Width":4,"Actual Startup Time":0.01,"Actual Total Time":${(0.02 + i * 0.01).toFixed(2)},"Actual Rows":1,"Actual Loops":1,"Plans":[${node}]}`;
  }
  return `[{"Plan":${node},"Execution Time":${(0.05 + depth * 0.01).toFixed(2)}}]`;
}

interface Layout {
  header: string;
  /** Column where the tree starts on every line. */
  tree: number;
  /** Each column's name and the position just past its right edge. */
  columns: Array<{ name: string; end: number }>;
  lines: string[];
}

function layoutOf(text: string): Layout {
  const all = text.split('\n');
  const at = all.findIndex((line) => /^ *(exclusive|cost) .* node$/.test(line));
  assert.ok(at >= 0, 'a header line naming the columns');
  const header = all[at];
  const tree = header.length - 'node'.length;
  const columns = [...header.slice(0, tree).matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], end: m.index + m[0].length }));
  const end = all.indexOf('', at);
  return { header, tree, columns, lines: all.slice(at + 1, end) };
}

function cellsOf(layout: Layout, line: string): Record<string, string> {
  const cells: Record<string, string> = {};
  let from = 0;
  for (const { name, end } of layout.columns) {
    cells[name] = line.slice(from, end).trim();
    from = end;
  }
  return cells;
}

/** The tree text of a line: what follows the tree drawing at the tree column. */
function treeText(layout: Layout, line: string): string {
  return line.slice(layout.tree).replace(/^[ │├└─]*(?:\[level \d+\] )?/, '');
}

/** Checks the layout and that every node has one line with its values under the right names. */
function assertAligned(plan: AnalyzedPlan, text: string, width: number): Layout {
  const layout = layoutOf(text);
  const seen = new Set<number>();
  for (const line of layout.lines) {
    // The two columns before the tree are blank on every line: nothing of the columns runs into the tree, nor the tree into them.
    assert.equal(line.slice(layout.tree - 2, layout.tree), '  ', `the tree column of: ${line}`);
    for (const { end } of layout.columns.slice(0, -1)) assert.equal(line.slice(end, end + 2), '  ', `between columns: ${line}`);
    const node = /^#(\d+) /.exec(treeText(layout, line));
    const left = line.slice(0, layout.tree).trim();
    if (!node) {
      assert.equal(left, '', `a detail or continuation line has blank columns: ${line}`);
      continue;
    }
    const id = Number(node[1]);
    assert.ok(!seen.has(id), `node #${id} once`);
    seen.add(id);
    const n = plan.nodes[id];
    const cells = cellsOf(layout, line);
    if (plan.analyzed) {
      if (!n.executed) {
        assert.equal(cells.exclusive, '');
        continue;
      }
      assert.equal(cells.exclusive, formatMs(n.exclusiveMs!), `#${id} exclusive`);
      assert.equal(cells.inclusive, formatMs(n.inclusiveMs!), `#${id} inclusive`);
      assert.equal(cells.rows, formatRows(n.actualRows!), `#${id} rows`);
      assert.equal(cells.est, formatCount(n.planRows), `#${id} est`);
      assert.equal(cells.loops, formatCount(n.loops), `#${id} loops`);
    } else {
      assert.equal(cells.cost, formatCostRange(n.startupCost, n.totalCost), `#${id} cost`);
      assert.equal(cells['est rows'], formatCount(n.planRows), `#${id} est rows`);
    }
  }
  assert.equal(seen.size, plan.nodes.length, 'every node has a line');
  // Lines stay within the width wherever the tree has room for its text.
  const gutter = layout.tree;
  for (const line of layout.lines) {
    const lead = line.slice(gutter).length - line.slice(gutter).replace(/^[ │├└─]*/, '').length;
    if (gutter + lead + 40 <= width) assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
  }
  return layout;
}

describe('the CLI text view: aligned columns', function () {
  const cases = [
    'pg15/ecommerce-topn-n7.json',
    'pg15/never-executed.json',
    'pg15/estimate-only.json',
    'pg15/cte-materialized-twice.json',
    'text-twins/pg15/hash-batches.txt',
  ];
  for (const width of [80, 120, 200]) {
    for (const file of cases) {
      it(`${file} at ${width} columns`, function () {
        const { plan, advice } = read(file);
        assertAligned(plan, renderPlanText(plan, PLAIN_STYLE, width, advice), width);
      });
    }
  }

  it('names the columns: depesz-like with ANALYZE, costs without', function () {
    const analyzed = layoutOf(renderPlanText(read('pg15/ecommerce-topn-n7.json').plan));
    assert.deepEqual(
      analyzed.columns.map((c) => c.name),
      ['exclusive', '%', 'inclusive', 'rows', 'est', 'misest.', 'loops'],
    );
    const estimate = layoutOf(renderPlanText(read('pg15/estimate-only.json').plan));
    assert.match(estimate.header, /^ *cost {2}est rows {2}node$/);
  });

  it('wraps long detail lines under the tree column, never into the numeric columns', function () {
    const { plan } = read('pg15/ecommerce-topn-n7.json');
    const layout = assertAligned(plan, renderPlanText(plan, PLAIN_STYLE, 80), 80);
    const filter = layout.lines.findIndex((line) => line.includes('Filter: (is_active AND'));
    assert.ok(filter >= 0);
    const next = layout.lines[filter + 1];
    assert.equal(next.slice(0, layout.tree).trim(), '', 'the continuation leaves the columns blank');
    assert.match(treeText(layout, next), /^'10000'::numeric\)\)$/);
    assert.ok(next.slice(layout.tree).startsWith(layout.lines[filter].slice(layout.tree, layout.tree + 3)), 'the tree lines go on');
  });

  it(`a plan deeper than ${MAX_DRAWN_DEPTH} levels: the same tree column on every line`, function () {
    const { plan } = analyzeExplainOutput(deepPlan(MAX_DRAWN_DEPTH + 12));
    for (const width of [80, 200]) {
      const text = renderPlanText(plan, PLAIN_STYLE, width);
      const layout = assertAligned(plan, text, width);
      assert.ok(layout.lines.some((line) => treeText(layout, line).startsWith(`#${MAX_DRAWN_DEPTH + 12} Seq Scan on t`)));
      assert.match(text, new RegExp(`\\[level ${MAX_DRAWN_DEPTH + 12}\\] #${MAX_DRAWN_DEPTH + 12} Seq Scan on t`));
    }
  });

  it('colour never moves a column: without its escapes, the coloured text is the plain text', function () {
    const { plan, advice } = read('pg15/ecommerce-topn-n7.json');
    const coloured = renderPlanText(plan, COLOR_STYLE, 120, advice);
    assert.match(coloured, /\u001b\[31;1m/, 'the hottest node is coloured');
    assert.equal(coloured.replace(/\u001b\[[\d;]*m/g, ''), renderPlanText(plan, PLAIN_STYLE, 120, advice));
  });
});
