import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMs } from '../../../src/core/format';
import {
  analyzePlan,
  findPlans,
  parseExplainJson,
  planAtLine,
  planChoices,
  slowestFirst,
  slowestPlan,
  type FoundPlan,
  type RawExplainResult,
  type RawPlanNode,
} from '../../../src/core/plan';

/**
 * Several plans in one text: the auto_explain log captured by test/fixtures/capture-auto-explain-log.ts
 * from one psql session on PostgreSQL 15 (text, then JSON entries, among statement, error and
 * ordinary log lines), as the server log and as psql's messages, each plan against EXPLAIN (ANALYZE,
 * FORMAT JSON) of the same statement run right after; and psql outputs and JSON results pasted one
 * after another.
 */
const FIXTURES = join(__dirname, '../../fixtures/plans');
const LOG_DIR = join(FIXTURES, 'auto-explain-log');
/** EXPLAIN (ANALYZE, FORMAT JSON) of each logged statement, in order, with the statement. */
const twins = readdirSync(join(LOG_DIR, 'explain'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => Number(file.slice(0, -'.json'.length)))
  .sort((a, b) => a - b)
  .map((n) => ({
    statement: readFileSync(join(LOG_DIR, 'explain', `${n}.sql`), 'utf8').trimEnd(),
    json: JSON.parse(readFileSync(join(LOG_DIR, 'explain', `${n}.json`), 'utf8')) as RawExplainResult[],
  }));

/** What each entry of the log says, read with the plainest means: its line, its duration and whether json was on. */
function entriesOf(log: string): Array<{ line: number; durationMs: number; format: 'text' | 'json' }> {
  const out: Array<{ line: number; durationMs: number; format: 'text' | 'json' }> = [];
  let format: 'text' | 'json' = 'text';
  log.split('\n').forEach((line, i) => {
    if (line.includes('SET auto_explain.log_format = json')) format = 'json';
    const duration = / duration: ([\d.]+) ms {2}plan:$/.exec(line);
    if (duration) out.push({ line: i + 1, durationMs: Number(duration[1]), format });
  });
  return out;
}

function preorder(root: RawPlanNode): RawPlanNode[] {
  const out: RawPlanNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = (node.Plans ?? []).length - 1; i >= 0; i--) stack.push(node.Plans![i]);
  }
  return out;
}

/** Keys that do not depend on the run: the shape of the tree and the planner's numbers; actual rows and loops, as the data is fixed. */
const STABLE_KEYS = [
  'Node Type',
  'Parent Relationship',
  'Subplan Name',
  'Relation Name',
  'Alias',
  'Index Name',
  'Join Type',
  'Strategy',
  'CTE Name',
  'Startup Cost',
  'Total Cost',
  'Plan Rows',
  'Plan Width',
  'Actual Rows',
  'Actual Loops',
  'Filter',
  'Hash Cond',
  'Merge Cond',
  'Sort Key',
];

const REQUIRED_KEYS = ['Node Type', 'Total Cost', 'Plan Rows', 'Actual Rows', 'Actual Loops'];

function assertSameTree(found: FoundPlan, twin: RawExplainResult, where: string): void {
  assert.ok(found.raw && !found.error, `${where}: ${found.error?.message}`);
  const ours = preorder(found.raw.Plan);
  const theirs = preorder(twin.Plan);
  assert.equal(ours.length, theirs.length, `${where}: node count`);
  ours.forEach((node, i) => {
    // The text format leaves some keys unsaid (an inner join's "Join Type"): a key the text gives must hold the JSON's value.
    for (const key of STABLE_KEYS) if (node[key] !== undefined) assert.deepEqual(node[key], theirs[i][key], `${where}, node ${i}: ${key}`);
    for (const key of REQUIRED_KEYS) assert.notEqual(node[key], undefined, `${where}, node ${i}: ${key}`);
  });
  assert.equal(analyzePlan(found.raw).nodes.length, analyzePlan(twin).nodes.length, `${where}: analysed nodes`);
}

for (const file of ['server.log', 'psql-notices.txt']) {
  describe(`findPlans: the auto_explain log ${file}`, function () {
    const log = readFileSync(join(LOG_DIR, file), 'utf8');
    const entries = entriesOf(log);
    const plans = findPlans(log);

    it('finds every plan entry, with its line, duration and format', function () {
      assert.equal(entries.length, twins.length + 1, 'the session also logs the plan of its last statement');
      assert.equal(plans.length, entries.length);
      plans.forEach((plan, i) => {
        assert.equal(plan.startLine, entries[i].line, `plan ${i + 1}: line`);
        assert.equal(plan.durationMs, entries[i].durationMs, `plan ${i + 1}: duration`);
        assert.equal(plan.format, entries[i].format, `plan ${i + 1}: format`);
        assert.equal(plan.error, undefined, `plan ${i + 1}: ${plan.error?.message}`);
        assert.ok(plan.endLine > plan.startLine && (i + 1 === plans.length || plan.endLine < plans[i + 1].startLine));
      });
      assert.deepEqual(new Set(plans.map((p) => p.format)), new Set(['text', 'json']));
    });

    it('keeps the log line prefix and each statement, multi-line ones whole', function () {
      const prefix = file === 'server.log' ? /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] planlens@\w+$/ : /^psql:<stdin>:\d+:$/;
      for (const plan of plans) assert.match(plan.logPrefix ?? '', prefix);
      twins.forEach((twin, i) => assert.equal(plans[i].queryText?.replace(/;$/, ''), twin.statement, `plan ${i + 1}`));
    });

    it('reads each plan into the tree EXPLAIN (ANALYZE, FORMAT JSON) gives for the same statement', function () {
      twins.forEach((twin, i) => assertSameTree(plans[i], twin.json[0], `plan ${i + 1}`));
    });

    it('picks the slowest, orders slowest first and knows which plan a line belongs to', function () {
      const durations = entries.map((e) => e.durationMs);
      const slowest = durations.indexOf(Math.max(...durations));
      assert.equal(slowestPlan(plans), slowest);
      assert.deepEqual(
        slowestFirst(plans).map((i) => durations[i]),
        [...durations].sort((a, b) => b - a),
      );
      assert.equal(planAtLine(plans, entries[1].line + 3), 1);
      // The statement line logged before the second plan belongs to no plan.
      assert.equal(planAtLine(plans, entries[1].line - 1), undefined);
    });
  });
}

describe('findPlans: damaged entries among good ones', function () {
  const log = readFileSync(join(LOG_DIR, 'server.log'), 'utf8');
  const lines = log.split('\n');
  const entries = entriesOf(log);

  it('reads the good plans and names the line and cause of the damaged ones', function () {
    const damaged = [...lines];
    // The second text plan loses its node lines after the root's first child; the first JSON plan is cut off mid-way.
    const brokenLine = entries[1].line + 6;
    damaged[brokenLine - 1] = '\t        ??? the rest of this entry was lost';
    damaged.splice(entries[3].line + 20, entries[4].line - entries[3].line - 22);
    const plans = findPlans(damaged.join('\n'));
    assert.equal(plans.length, entries.length);
    const text = plans[1];
    assert.ok(text.error, 'the text plan is damaged');
    assert.equal(text.error.line, brokenLine);
    assert.match(text.error.message, new RegExp(`^line ${brokenLine}: expected`));
    assert.ok(text.raw, 'what came before the damage is kept');
    assert.equal(text.raw.Plan['Node Type'], 'Hash Join');
    const json = plans[3];
    assert.ok(json.error && !json.raw, 'the JSON plan is damaged');
    assert.match(json.error.message, /^not JSON: .* at line \d+, column \d+$/);
    assert.ok(json.error.line! > json.startLine && json.error.line! <= json.endLine + 1, `line ${json.error.line}`);
    for (const i of [0, 2, 4, 5]) assert.equal(plans[i].error, undefined, `plan ${i + 1}`);
    assert.equal(json.queryText, undefined);
    assert.equal(plans[4].queryText?.replace(/;$/, ''), twins[4].statement);
    // A damaged plan is never the one picked for a report.
    assert.notEqual(slowestPlan(plans), 3);

    // The list to choose from: every plan, slowest first, the damaged ones with their reason; lines counted from a selection's start.
    const choices = planChoices(plans, 100);
    const durations = entries.map((e) => e.durationMs);
    assert.deepEqual(
      choices.map((c) => durations[c.index]),
      [...durations].sort((a, b) => b - a),
    );
    const byIndex = new Map(choices.map((c) => [c.index, c]));
    assert.equal(byIndex.get(0)!.label, `${formatMs(entries[0].durationMs)}  SELECT count(*) FROM orders WHERE status = 3;`);
    assert.equal(byIndex.get(0)!.description, `line ${entries[0].line + 100}, 2 nodes`);
    assert.match(byIndex.get(0)!.detail!, /^\d{4}-\d\d-\d\d .* \[\d+\] planlens@/);
    assert.match(byIndex.get(1)!.label, /SELECT c\.name, o\.amount FROM customers c JOIN orders o/);
    assert.equal(
      byIndex.get(1)!.detail,
      `Damaged at line ${brokenLine + 100}: ${text.error.message.replace(/^line \d+: /, '')}; shows what comes before.`,
    );
    assert.match(
      byIndex.get(3)!.detail!,
      new RegExp(`^Cannot be read at line ${json.error.line! + 100}: not JSON: .* at line ${json.error.line! + 100}, column \\d+$`),
    );
    assert.equal(byIndex.get(3)!.description, `line ${entries[3].line + 100}`);
  });
});

describe('findPlans: plans one after another without a log', function () {
  const psql = (name: string) => readFileSync(join(FIXTURES, 'psql-output', name), 'utf8');

  it('reads a text with one plan whole, exactly as parseExplainJson does', function () {
    for (const name of ['aligned.txt', 'unaligned.txt', 'auto-explain.txt', 'text-format.txt']) {
      const plans = findPlans(psql(name));
      assert.equal(plans.length, 1, name);
      assert.deepEqual(plans[0].raw, parseExplainJson(psql(name)), name);
    }
  });

  it('splits several psql outputs, text and JSON in frames, at each plan', function () {
    const parts = ['text-format.txt', 'aligned.txt', 'unaligned.txt', 'text-format.txt'].map(psql);
    const plans = findPlans(parts.join('\n'));
    assert.equal(plans.length, parts.length);
    let offset = 0;
    parts.forEach((part, i) => {
      const rootLine = part.split('\n').findIndex((line) => /\(cost=|^\s*\[/.test(line.replace(/^[\s|]+/, ''))) + 1;
      assert.equal(plans[i].startLine, offset + rootLine, `plan ${i + 1}: line`);
      assert.deepEqual(plans[i].raw, parseExplainJson(part), `plan ${i + 1}`);
      assert.equal(plans[i].format, part.includes('"Plan"') ? 'json' : 'text');
      offset += part.split('\n').length;
    });
  });

  it('splits a JSON array of several results and JSON values one after another', function () {
    const a = twins[0].json[0];
    const b = twins[3].json[0];
    const array = findPlans(JSON.stringify([a, b], null, 2));
    assert.equal(array.length, 2);
    assert.deepEqual(
      array.map((p) => p.raw),
      [a, b],
    );
    assert.equal(array[0].startLine, 2);
    const sequence = findPlans(`${JSON.stringify([a], null, 2)}\n${JSON.stringify([b], null, 2)}\n`);
    assert.equal(sequence.length, 2);
    assert.deepEqual(sequence[1].raw, b);
    assert.equal(sequence[1].startLine, JSON.stringify([a], null, 2).split('\n').length + 1);
  });

  it('reads JSON results on one line as one value, and a wrapped condition starting with "{" as part of its text plan', function () {
    const a = twins[0].json[0];
    const b = twins[3].json[0];
    const oneLine = findPlans(JSON.stringify([a, b]));
    assert.equal(oneLine.length, 1);
    assert.deepEqual(oneLine[0].raw, a);
    const text = psql('text-format.txt');
    // An unmatched brace: read as the start of JSON, it would swallow the plans after it.
    const wrapped = text.replace(/^( *)Filter: .*$/m, "$1Filter: (name ~ \n$1{')");
    assert.notEqual(wrapped, text);
    const plans = findPlans(`${wrapped}\n${text}`);
    assert.equal(plans.length, 2);
    assert.deepEqual(plans[1].raw, parseExplainJson(text));
  });

  it('takes a "Query Text" line above a pasted auto_explain text plan into its entry', function () {
    const text = [
      'Query Text: SELECT 1',
      'Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=1)',
      '',
      'Query Text: SELECT 2',
      'Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.002..0.002 rows=1 loops=1)',
    ].join('\n');
    const plans = findPlans(text);
    assert.deepEqual(
      plans.map((p) => [p.startLine, p.endLine, p.queryText]),
      [
        [1, 2, 'SELECT 1'],
        [4, 5, 'SELECT 2'],
      ],
    );
  });
});
