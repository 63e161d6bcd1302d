import assert from 'node:assert/strict';
import { analyzePlan, parseExplainJson, PlanParseError } from '../../../src/core/plan';
import type { RawExplainResult, RawPlanNode } from '../../../src/core/plan';

/** The node at a path of child indexes. */
function at(result: RawExplainResult, ...path: number[]): RawPlanNode {
  let node = result.Plan;
  for (const i of path) node = node.Plans![i];
  return node;
}

const ROOT = 'Hash Join  (cost=1.09..32.08 rows=32 width=224) (actual time=0.524..0.525 rows=7 loops=1)';

/** One construct per row: plan text, then what the JSON-shaped result must hold. */
const CONSTRUCTS: Array<{ what: string; text: string; expect: (r: RawExplainResult) => void }> = [
  {
    what: 'node line with estimate and actuals, PostgreSQL 18 fractional rows',
    text: 'Seq Scan on public.orders o  (cost=0.00..378.00 rows=2000 width=0) (actual time=0.005..0.814 rows=2000.50 loops=2)',
    expect: (r) =>
      assert.deepEqual(
        [
          r.Plan['Node Type'],
          r.Plan.Schema,
          r.Plan['Relation Name'],
          r.Plan.Alias,
          r.Plan['Total Cost'],
          r.Plan['Plan Rows'],
          r.Plan['Actual Rows'],
          r.Plan['Actual Loops'],
        ],
        ['Seq Scan', 'public', 'orders', 'o', 378, 2000, 2000.5, 2],
      ),
  },
  {
    what: 'Filter, Index Cond, Hash Cond, Join Filter, Rows Removed by Filter, Heap Fetches',
    text: `${ROOT}
  Hash Cond: (c.relnamespace = n.oid)
  Join Filter: (c.x > n.y)
  Rows Removed by Join Filter: 4
  ->  Index Only Scan Backward using "Odd Index" on pg_class c  (cost=0.00..29.84 rows=64 width=73) (actual time=0.026..0.397 rows=128 loops=1)
        Index Cond: (oid > '1'::oid)
        Filter: (relkind = ANY ('{r,p}'::"char"[]))
        Rows Removed by Filter: 261
        Heap Fetches: 12
  ->  Hash  (cost=1.07..1.07 rows=2 width=68) (actual time=0.062..0.062 rows=2 loops=1)
        Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 9kB
        ->  Seq Scan on pg_namespace n  (cost=0.00..1.07 rows=2 width=68) (actual time=0.032..0.038 rows=2 loops=1)`,
    expect: (r) => {
      assert.equal(r.Plan['Hash Cond'], '(c.relnamespace = n.oid)');
      assert.equal(r.Plan['Rows Removed by Join Filter'], 4);
      const scan = at(r, 0);
      assert.deepEqual(
        [scan['Node Type'], scan['Scan Direction'], scan['Index Name'], scan['Parent Relationship']],
        ['Index Only Scan', 'Backward', 'Odd Index', 'Outer'],
      );
      assert.deepEqual(
        [scan['Rows Removed by Filter'], scan['Heap Fetches'], scan.Filter],
        [261, 12, `(relkind = ANY ('{r,p}'::"char"[]))`],
      );
      const hash = at(r, 1);
      assert.deepEqual(
        [
          hash['Hash Buckets'],
          hash['Original Hash Buckets'],
          hash['Hash Batches'],
          hash['Original Hash Batches'],
          hash['Peak Memory Usage'],
        ],
        [65536, 1024, 4, 1, 9],
      );
      assert.equal(at(r, 1, 0)['Parent Relationship'], 'Outer');
    },
  },
  {
    what: 'Sort Key, Sort Method, Presorted Key, Full-sort Groups, Incremental Sort',
    text: `Incremental Sort  (cost=1.0..2.0 rows=10 width=8) (actual time=0.1..0.2 rows=10 loops=1)
  Sort Key: a, (lower(b, 'x,y'))
  Presorted Key: a
  Full-sort Groups: 1  Sort Method: quicksort  Average Memory: 26kB  Peak Memory: 27kB
  ->  Sort  (cost=1.0..2.0 rows=10 width=8) (actual time=0.1..0.2 rows=10 loops=1)
        Sort Key: a DESC
        Sort Method: external merge  Disk: 1234kB
        Worker 0:  Sort Method: quicksort  Memory: 25kB`,
    expect: (r) => {
      assert.deepEqual(r.Plan['Sort Key'], ['a', "(lower(b, 'x,y'))"]);
      assert.deepEqual(r.Plan['Presorted Key'], ['a']);
      assert.deepEqual(r.Plan['Full-sort Groups'], {
        'Group Count': 1,
        'Sort Methods Used': ['quicksort'],
        'Sort Space Memory': { 'Average Sort Space Used': 26, 'Peak Sort Space Used': 27 },
      });
      const sort = at(r, 0);
      assert.deepEqual([sort['Sort Method'], sort['Sort Space Type'], sort['Sort Space Used']], ['external merge', 'Disk', 1234]);
      assert.deepEqual(sort.Workers, [
        { 'Worker Number': 0, 'Sort Method': 'quicksort', 'Sort Space Type': 'Memory', 'Sort Space Used': 25 },
      ]);
    },
  },
  {
    what: 'Buffers, I/O Timings (13-16 and 17+), WAL',
    text: `Insert on t  (cost=0.00..1.00 rows=0 width=0) (actual time=0.1..0.2 rows=0 loops=1)
  Buffers: shared hit=5 read=2 dirtied=3 written=4, local hit=1, temp read=7 written=8
  I/O Timings: shared read=1.5 write=0.5, temp read=0.25
  WAL: records=10 fpi=1 bytes=900 buffers full=0
  ->  Result  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)
        I/O Timings: read=2.5 write=1.0`,
    expect: (r) => {
      const p = r.Plan;
      assert.deepEqual(
        [
          p['Shared Hit Blocks'],
          p['Shared Read Blocks'],
          p['Shared Dirtied Blocks'],
          p['Shared Written Blocks'],
          p['Local Hit Blocks'],
          p['Temp Read Blocks'],
          p['Temp Written Blocks'],
        ],
        [5, 2, 3, 4, 1, 7, 8],
      );
      assert.deepEqual([p['Shared I/O Read Time'], p['Shared I/O Write Time'], p['Temp I/O Read Time']], [1.5, 0.5, 0.25]);
      assert.deepEqual([p['WAL Records'], p['WAL FPI'], p['WAL Bytes'], p['WAL Buffers Full']], [10, 1, 900, 0]);
      assert.deepEqual([at(r, 0)['I/O Read Time'], at(r, 0)['I/O Write Time']], [2.5, 1]);
      assert.deepEqual([p['Node Type'], p.Operation, p['Relation Name']], ['ModifyTable', 'Insert', 't']);
    },
  },
  {
    what: 'parallel workers: Workers Planned/Launched, Worker N actuals and buffers (VERBOSE)',
    text: `Gather  (cost=0.00..1.00 rows=1 width=8) (actual time=0.1..9.0 rows=3 loops=1)
  Workers Planned: 2
  Workers Launched: 1
  ->  Parallel Seq Scan on t  (cost=0.00..1.00 rows=1 width=8) (actual time=0.1..8.0 rows=1 loops=2)
        Worker 0:  actual time=0.2..7.5 rows=2 loops=1
          Buffers: shared hit=3`,
    expect: (r) => {
      assert.deepEqual([r.Plan['Workers Planned'], r.Plan['Workers Launched']], [2, 1]);
      const scan = at(r, 0);
      assert.equal(scan['Parallel Aware'], true);
      assert.deepEqual(scan.Workers, [
        {
          'Worker Number': 0,
          'Actual Startup Time': 0.2,
          'Actual Total Time': 7.5,
          'Actual Rows': 2,
          'Actual Loops': 1,
          'Shared Hit Blocks': 3,
        },
      ]);
    },
  },
  {
    what: 'Memoize: Cache Key, Hits/Misses, HashAggregate batches, bitmap heap blocks',
    text: `HashAggregate  (cost=1.0..2.0 rows=10 width=8) (actual time=0.1..0.2 rows=10 loops=1)
  Group Key: a
  Planned Partitions: 4  Batches: 5  Memory Usage: 4145kB  Disk Usage: 10640kB
  ->  Memoize  (cost=1.0..2.0 rows=10 width=8) (actual time=0.1..0.2 rows=10 loops=1)
        Cache Key: t.a
        Cache Mode: logical
        Hits: 10  Misses: 5  Evictions: 0  Overflows: 0  Memory Usage: 1kB
        ->  Bitmap Heap Scan on t  (cost=1.0..2.0 rows=10 width=8) (actual time=0.1..0.2 rows=10 loops=1)
              Recheck Cond: (a = 1)
              Rows Removed by Index Recheck: 3
              Heap Blocks: exact=10 lossy=5
              ->  Bitmap Index Scan on t_a  (cost=0.0..1.0 rows=10 width=0) (actual time=0.1..0.1 rows=10 loops=1)
                    Index Cond: (a = 1)`,
    expect: (r) => {
      assert.deepEqual(
        [r.Plan.Strategy, r.Plan['Planned Partitions'], r.Plan['HashAgg Batches'], r.Plan['Disk Usage'], r.Plan['Peak Memory Usage']],
        ['Hashed', 4, 5, 10640, 4145],
      );
      const memo = at(r, 0);
      assert.deepEqual([memo['Cache Key'], memo['Cache Mode'], memo['Cache Hits'], memo['Cache Misses']], ['t.a', 'logical', 10, 5]);
      assert.deepEqual(
        [at(r, 0, 0)['Exact Heap Blocks'], at(r, 0, 0)['Lossy Heap Blocks'], at(r, 0, 0)['Rows Removed by Index Recheck']],
        [10, 5, 3],
      );
      assert.equal(at(r, 0, 0, 0)['Index Name'], 't_a');
    },
  },
  {
    what: 'InitPlan, SubPlan and CTE headers; never executed; condition lines kept for $0 / (InitPlan 1).col1',
    text: `Result  (cost=0.0..2.0 rows=1 width=4) (actual time=0.1..5.0 rows=1 loops=1)
  One-Time Filter: ((InitPlan 1).col1 > 0)
  CTE c
    ->  Seq Scan on big  (cost=0.0..1.0 rows=1 width=4) (never executed)
  InitPlan 1
    ->  Seq Scan on t  (cost=0.0..1.0 rows=1 width=4) (actual time=0.1..4.0 rows=1 loops=1)
  SubPlan 2
    ->  Result  (cost=0.0..1.0 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)
Planning Time: 0.1 ms
Execution Time: 5.1 ms`,
    expect: (r) => {
      assert.deepEqual(
        r.Plan.Plans!.map((p) => [p['Subplan Name'], p['Parent Relationship']]),
        [
          ['CTE c', 'InitPlan'],
          ['InitPlan 1', 'InitPlan'],
          ['SubPlan 2', 'SubPlan'],
        ],
      );
      assert.deepEqual([at(r, 0)['Actual Loops'], at(r, 0)['Actual Total Time']], [0, 0]);
      const plan = analyzePlan(r);
      // The InitPlan's 4 ms come off the Result whose One-Time Filter uses it, not off the InitPlan.
      assert.ok(plan.nodes[0].exclusiveMs! < 1.1, `root exclusive ${plan.nodes[0].exclusiveMs}`);
      assert.equal(plan.nodes[2].exclusiveMs, 4);
    },
  },
  {
    what: 'TIMING OFF, COSTS OFF, VERBOSE Output',
    text: `Limit (actual rows=1 loops=1)
  Output: a, (b + 1)
  ->  Seq Scan on t (actual rows=1 loops=1)
        Output: a, b`,
    expect: (r) => {
      assert.deepEqual([r.Plan['Actual Rows'], r.Plan['Actual Total Time'], r.Plan['Total Cost']], [1, undefined, undefined]);
      assert.deepEqual(r.Plan.Output, ['a', '(b + 1)']);
      assert.equal(analyzePlan(r).analyzed, true);
    },
  },
  {
    what: 'COSTS OFF without ANALYZE',
    text: `Nested Loop Left Join
  ->  Seq Scan on a
  ->  Materialize
        ->  Seq Scan on b`,
    expect: (r) => assert.deepEqual([r.Plan['Join Type'], at(r, 1, 0)['Relation Name']], ['Left', 'b']),
  },
  {
    what: 'summary: Planning, Triggers, JIT (17+ Deform), Settings, old Total runtime',
    text: `Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.006..0.008 rows=1 loops=1)
Planning:
  Buffers: shared hit=4
  Memory: used=8kB  allocated=16kB
Planning Time: 0.048 ms
Trigger for constraint fk on orders: time=2.867 calls=100
Trigger log_delete: calls=3
JIT:
  Functions: 3
  Options: Inlining false, Optimization false, Expressions true, Deforming true
  Timing: Generation 0.340 ms (Deform 0.1 ms), Inlining 0.000 ms, Optimization 0.168 ms, Emission 1.907 ms, Total 2.414 ms
Settings: work_mem = '64MB', search_path = 'a, b'
Total runtime: 9.5 ms`,
    expect: (r) => {
      assert.deepEqual(r.Planning, { 'Shared Hit Blocks': 4, 'Memory Used': 8, 'Memory Allocated': 16 });
      assert.deepEqual([r['Planning Time'], r['Execution Time']], [0.048, 9.5]);
      assert.deepEqual(r.Triggers, [
        { 'Trigger Name': 'for constraint fk', 'Constraint Name': 'fk', Relation: 'orders', Time: 2.867, Calls: 100 },
        { 'Trigger Name': 'log_delete', Calls: 3 },
      ]);
      assert.equal(r.JIT!.Functions, 3);
      assert.deepEqual(r.JIT!.Timing!.Generation, { Deform: 0.1, Total: 0.34 });
      assert.equal(r.JIT!.Timing!.Total, 2.414);
      assert.deepEqual(r.Settings, { work_mem: '64MB', search_path: 'a, b' });
    },
  },
  {
    what: 'node names: aggregates, set operations, joins, custom and foreign scans',
    text: `Append  (cost=0.0..1.0 rows=1 width=4)
  ->  Finalize GroupAggregate  (cost=0.0..1.0 rows=1 width=4)
  ->  HashSetOp Except All  (cost=0.0..1.0 rows=1 width=4)
  ->  Merge Right Anti Join  (cost=0.0..1.0 rows=1 width=4)
  ->  Custom Scan (Citus Adaptive)  (cost=0.0..1.0 rows=1 width=4)
  ->  Async Foreign Scan on ft  (cost=0.0..1.0 rows=1 width=4)
  ->  Function Scan on pg_catalog.generate_series g  (cost=0.0..1.0 rows=1 width=4)`,
    expect: (r) =>
      assert.deepEqual(
        analyzePlan(r)
          .nodes.slice(1)
          .map((n) => [n.nodeType, n.label, n.parentRelationship]),
        [
          ['Aggregate', 'Finalize GroupAggregate', 'Member'],
          ['SetOp', 'HashSetOp Except All', 'Member'],
          ['Merge Join', 'Merge Right Anti Join', 'Member'],
          ['Custom Scan', 'Custom Scan (Citus Adaptive)', 'Member'],
          ['Foreign Scan', 'Async Foreign Scan', 'Member'],
          ['Function Scan', 'Function Scan', 'Member'],
        ],
      ),
  },
  {
    what: 'Citus: tasks and their remote plans under Custom Scan (Citus Adaptive), where the Citus JSON format keeps them',
    text: `Custom Scan (Citus Adaptive)  (cost=0.00..0.00 rows=100000 width=8) (actual time=12.0..12.5 rows=2 loops=1)
  Task Count: 2
  Tasks Shown: One of 2
  ->  Task
        Node: host=localhost port=9701 dbname=regression
        ->  HashAggregate  (cost=1.0..2.0 rows=2 width=8) (actual time=0.5..0.6 rows=2 loops=1)
              Group Key: l_quantity
              ->  Seq Scan on lineitem_290000 lineitem  (cost=0.0..1.0 rows=10 width=8) (actual time=0.1..0.3 rows=10 loops=1)
Planning Time: 0.1 ms
Execution Time: 12.6 ms`,
    expect: (r) => {
      assert.equal(r.Plan.Plans, undefined);
      const tasks = (r.Plan['Distributed Query'] as { Job: { Tasks: Array<Record<string, unknown>> } }).Job.Tasks;
      assert.equal(tasks[0].Node, 'host=localhost port=9701 dbname=regression');
      const remote = (tasks[0]['Remote Plan'] as Array<Array<RawExplainResult>>)[0][0];
      assert.deepEqual([remote.Plan['Node Type'], remote.Plan.Plans![0]['Relation Name']], ['Aggregate', 'lineitem_290000']);
      assert.equal(r['Execution Time'], 12.6);
    },
  },
  {
    what: 'auto_explain text entry among other log lines, with a multi-line Query Text',
    text: `2024-05-01 10:00:00 UTC [42] LOG:  duration: 1.2 ms  plan:
\tQuery Text: SELECT *
\t  FROM t
\tSeq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.01..0.02 rows=1 loops=1)
\t  Filter: (a = 1)
2024-05-01 10:00:01 UTC [42] LOG:  duration: 2.0 ms  plan:
\tResult  (cost=0.00..0.01 rows=1 width=4)`,
    expect: (r) => {
      assert.equal(r['Query Text'], 'SELECT *\nFROM t');
      assert.deepEqual([r.Plan['Node Type'], r.Plan.Filter, r.Plan.Plans], ['Seq Scan', '(a = 1)', undefined]);
    },
  },
  {
    what: 'lines wrapped by a terminal mid-number and mid-word',
    text: ` Sort  (cos
t=32.88..32.9
6 rows=32 wid
th=224) (actual time=0.532..0.532
rows=0 loops=1)
   Sort Key: n.nspname`,
    expect: (r) =>
      assert.deepEqual(
        [r.Plan['Total Cost'], r.Plan['Plan Width'], r.Plan['Actual Total Time'], r.Plan['Actual Rows']],
        [32.96, 224, 0.532, 0],
      ),
  },
  {
    what: 'pgAdmin single-quoted lines and CSV-quoted lines',
    text: `"Limit  (cost=0.0..1.0 rows=1 width=4)"
"  ->  Seq Scan on ""Odd"" x  (cost=0.0..1.0 rows=1 width=4)"`,
    expect: (r) => assert.equal(at(r, 0)['Relation Name'], 'Odd'),
  },
];

describe('text-format plans', () => {
  for (const { what, text, expect } of CONSTRUCTS) it(what, () => expect(parseExplainJson(text)));

  it('a plan whose root line has psql frames of every style reads the same', () => {
    const plain = parseExplainJson(CONSTRUCTS[1].text);
    const lines = CONSTRUCTS[1].text.split('\n');
    const width = Math.max(...lines.map((l) => l.length));
    const border2 = [
      '┌' + '─'.repeat(width + 2) + '┐',
      ...lines.map((l) => `│ ${l.padEnd(width)} │`),
      '└' + '─'.repeat(width + 2) + '┘',
      '(12 rows)',
    ].join('\n');
    const ascii = [' QUERY PLAN', '-'.repeat(width), ...lines.map((l) => ` ${l}`), '(12 rows)'].join('\n');
    assert.deepEqual(parseExplainJson(border2), plain);
    assert.deepEqual(parseExplainJson(ascii), plain);
  });

  it('JSON with a raw line break inside "Query Text", as auto_explain logs it', () => {
    const log = 'LOG:  duration: 1.0 ms  plan:\n\t{\n\t  "Query Text": "SELECT 1\nFROM t",\n\t  "Plan": {"Node Type": "Result"}\n\t}';
    assert.equal(parseExplainJson(log)['Query Text'], 'SELECT 1\nFROM t');
  });

  it('stripping psql decoration stays linear on 200 kB of blanks', () => {
    const started = performance.now();
    assert.throws(() => parseExplainJson(`${' '.repeat(200_000)}x\n`), PlanParseError);
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
  });

  it('a plan 4000 levels deep, without recursion', () => {
    const lines = ['Limit  (cost=0.0..1.0 rows=1 width=4)'];
    for (let i = 1; i < 4000; i++) lines.push(`${' '.repeat(2 + (i - 1) * 6)}->  Limit  (cost=0.0..1.0 rows=1 width=4)`);
    assert.equal(analyzePlan(parseExplainJson(lines.join('\n'))).nodes.length, 4000);
  });
});

describe('damaged text plans', () => {
  function damage(text: string): PlanParseError {
    try {
      parseExplainJson(text);
    } catch (error) {
      assert.ok(error instanceof PlanParseError);
      return error;
    }
    assert.fail('expected a PlanParseError');
  }

  it('a stray line inside: names the line and what was expected, keeps what came before', () => {
    const error = damage(
      `${ROOT}\n  ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4)\n        Output: blah\nhere is a line break\n  ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4)`,
    );
    assert.equal(error.line, 4);
    assert.equal(
      error.message,
      'line 4: expected a summary line (Planning Time, Execution Time, Trigger, JIT, Settings) at the plan\'s left edge, found "here is a line break"',
    );
    assert.equal(error.partial!.Plan.Plans!.length, 1);
  });

  it('a truncated node line', () => {
    const error = damage(`${ROOT}\n  ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4)\n  ->  Hash Jo`);
    assert.match(
      error.message,
      /^line 3: expected a plan node after "->" \(such as "Seq Scan on t {2}\(cost=\.\.\.\)"\), found "-> {2}Hash Jo"$/,
    );
    assert.equal(error.partial!.Plan.Plans!.length, 1);
  });

  it('a tool it does not know: a node name PostgreSQL never prints', () => {
    const error = damage(`${ROOT}\n  ->  Frobnicate Scan on a  (cost=0.00..1.00 rows=1 width=4)`);
    assert.match(error.message, /^line 2: expected a plan node after "->"/);
  });

  it('XML and YAML: says which format and what to run instead', () => {
    assert.equal(
      damage('<explain xmlns="http://www.postgresql.org/2009/explain">').message,
      'this is an XML-format plan, which Plan Lens does not read: run EXPLAIN (FORMAT JSON) or plain EXPLAIN instead',
    );
  });
});
