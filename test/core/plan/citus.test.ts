/**
 * Citus distributed plans (test/fixtures/plans/citus, hand-written in the shape Citus 12's
 * multi_explain.c prints, JSON and text): tasks and remote plans as nodes of one tree, the time
 * the Custom Scan spent waiting for them, the raw plan given back as Citus wrote it, and what the
 * advice says about a node that ran on a worker.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogSnapshot } from '../../../src/core/advice/catalog-snapshot';
import { proposeIndexes, tablesInPlan } from '../../../src/core/advice/index-advisor';
import { analyzeExplainOutput } from '../../../src/core/analyze';
import { buildPlanReport } from '../../../src/core/plan-report';
import { analyzePlan, parseExplainJson, rawPlanJson, rawPlanOf, type AnalyzedPlan, type RawExplainResult } from '../../../src/core/plan';
import { distributedTableOf } from '../../../src/core/plan/citus';
import { nodeName, tableName } from '../../../src/core/plan/node-label';
import { ensureSqlParser } from '../../../src/core/sql';

const DIR = join(__dirname, '../../fixtures/plans/citus');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const ONE_OF_32 = 'pending-orders-one-of-32';
const SUBPLAN = 'top-customers-subplan';

/**
 * The model's fields (what every consumer reads), without the verbatim keys, which differ by format,
 * and the join type, which the text format leaves unsaid for an inner join.
 */
function modelOf(plan: AnalyzedPlan): unknown[] {
  return plan.nodes.map(({ raw: _raw, joinType: _joinType, ...fields }) => fields);
}

describe('Citus distributed plans', () => {
  it('makes each shown task a node under its Custom Scan and the remote plan a subtree under the task', () => {
    const plan = analyzePlan(parseExplainJson(read(`${ONE_OF_32}.json`)));
    assert.deepEqual(
      plan.nodes.map((n) => [n.id, n.parentId, n.depth, n.label, n.remote?.host ?? null]),
      [
        [0, null, 0, 'Aggregate', null],
        [1, 0, 1, 'Custom Scan (Citus Adaptive)', null],
        [2, 1, 2, 'Task on localhost:9701 postgres', 'localhost'],
        [3, 2, 3, 'Aggregate', 'localhost'],
        [4, 3, 4, 'Seq Scan', 'localhost'],
      ],
    );
    assert.deepEqual(plan.nodes[1].tasks, { shown: 1, count: 32 });
    assert.deepEqual(plan.nodes[2].remote, {
      node: 'host=localhost port=9701 dbname=postgres',
      host: 'localhost',
      port: 9701,
      dbname: 'postgres',
    });
    const scan = plan.nodes[4];
    assert.deepEqual(
      [scan.relation, scan.distributedTable, scan.actualRowsTotal, scan.rowsRemovedByFilter, scan.buffers?.sharedHit, scan.raw.Filter],
      ['orders_102008', 'orders', 1000, 49000, 395, "(status = 'pending'::text)"],
    );
    // The scan keeps what Citus wrote about the job, without the tasks that are now its children.
    assert.deepEqual(plan.nodes[1].raw['Distributed Query'], {
      Job: { 'Task Count': 32, 'Tuple data received from nodes': '256 bytes', 'Tasks Shown': 'One of 32' },
    });
    assert.deepEqual(plan.nodes[2].raw, {
      'Tuple data received from node': '8 bytes',
      Node: 'host=localhost port=9701 dbname=postgres',
      'Remote Plan': [
        [
          {
            Planning: (plan.nodes[2].raw['Remote Plan'] as RawExplainResult[][])[0][0].Planning,
            'Planning Time': 0.081,
            Triggers: [],
            'Execution Time': 31.305,
          },
        ],
      ],
    });
  });

  it('reads the text format into the same tree and numbers as the JSON', () => {
    const json = analyzePlan(parseExplainJson(read(`${ONE_OF_32}.json`)));
    const text = analyzePlan(parseExplainJson(read(`${ONE_OF_32}.txt`)));
    assert.deepEqual(modelOf(text), modelOf(json));
    const raw = parseExplainJson(read(`${ONE_OF_32}.txt`));
    const job = raw.Plan.Plans![0]['Distributed Query']!.Job!;
    assert.deepEqual(
      Object.keys(job),
      ['Task Count', 'Tuple data received from nodes', 'Tasks Shown', 'Tasks'],
      'in the order Citus writes them',
    );
    const remote = job.Tasks![0]['Remote Plan']![0] as RawExplainResult[];
    assert.deepEqual(
      [remote[0]['Planning Time'], remote[0]['Execution Time'], remote[0].Planning],
      [0.081, 31.305, { 'Shared Hit Blocks': 12 }],
    );
    assert.equal(remote[0].Plan.Plans![0]['Parent Relationship'], 'Outer', 'filled in as in the JSON');
  });

  it("takes off the Custom Scan's own time only the longest shown task it waited for, so one task adds up to the root", () => {
    const one = analyzePlan(parseExplainJson(read(`${ONE_OF_32}.json`)));
    assert.equal(one.nodes[1].exclusiveMs, 17.185); // 48.490 - 31.305, the task's Execution Time
    assert.equal(one.nodes[2].exclusiveMs, 0.105); // 31.305 - 31.200: the worker's executor outside the plan
    const sum = one.nodes.reduce((total, node) => total + node.exclusiveMs!, 0);
    assert.ok(Math.abs(sum - one.nodes[0].inclusiveMs!) < 1e-9, `${sum} vs ${one.nodes[0].inclusiveMs}`);
    // The workers' buffers were never the coordinator's: nothing comes off the scan's.
    assert.deepEqual([one.nodes[1].buffers?.sharedHit, one.nodes[0].buffers?.sharedHit], [0, 0]);

    const all = analyzePlan(parseExplainJson(read('events-all-tasks.json')));
    assert.deepEqual(
      all.nodes.map((n) => [n.label, n.inclusiveMs, n.exclusiveMs]),
      [
        ['Custom Scan (Citus Adaptive)', 20, 7.5], // 20 - max(12.5, 8.25)
        ['Task on 10.0.0.5:5432 app', 12.5, 0.2],
        ['Index Scan', 12.3, 12.3],
        ['Task on 10.0.0.6:5432 app', 8.25, 0.15],
        ['Index Scan', 8.1, 8.1],
      ],
    );
  });

  it('never lets a scan go below 0 when a task reports more time than the scan waited', () => {
    const raw = parseExplainJson(read('events-all-tasks.json'));
    raw.Plan['Actual Total Time'] = 10;
    const plan = analyzePlan(raw);
    assert.equal(plan.nodes[0].exclusiveMs, 0);
  });

  it('matches InitPlan references within one plan: a remote $0 is not the coordinator InitPlan $0', () => {
    const raw = parseExplainJson(read('events-all-tasks.json'));
    const coordinatorInitPlan = { 'Node Type': 'Result', 'Parent Relationship': 'InitPlan', 'Subplan Name': 'InitPlan 1 (returns $0)' };
    Object.assign(coordinatorInitPlan, { 'Actual Startup Time': 1, 'Actual Total Time': 1, 'Actual Rows': 1, 'Actual Loops': 1 });
    raw.Plan.Plans = [coordinatorInitPlan];
    raw.Plan['One-Time Filter'] = '$0';
    const remoteScan = (raw.Plan['Distributed Query']!.Job!.Tasks![0]['Remote Plan']![0] as RawExplainResult[])[0].Plan;
    remoteScan['Index Cond'] = '(tenant_id = $0)';
    const plan = analyzePlan(raw);
    // The coordinator's InitPlan ran for the scan that references it, not for the worker's Index Scan.
    assert.equal(plan.nodes[0].exclusiveMs, 6.5); // 20 - 12.5 (longest task) - 1 (its InitPlan)
    assert.equal(plan.nodes.find((n) => n.index === 'events_tenant_id_idx_102041')!.exclusiveMs, 12.3);
  });

  it('makes a distributed subplan a node under its scan, run first and on this server, its own Citus scan with tasks of its own', () => {
    const json = analyzePlan(parseExplainJson(read(`${SUBPLAN}.json`)));
    assert.deepEqual(
      json.nodes
        .filter((n) => n.depth <= 1 || n.nodeType === 'Custom Scan')
        .map((n) => [n.id, n.parentId, n.label, n.remote?.host ?? null]),
      [
        [0, null, 'Custom Scan (Citus Adaptive)', null],
        [1, 0, 'Distributed Subplan 1', null],
        [5, 4, 'Custom Scan (Citus Adaptive)', null],
        [9, 0, 'Task on 10.0.0.6:5432 app', '10.0.0.6'],
      ],
    );
    // Its duration comes off the scan like any child's; of the tasks, only the longest.
    assert.equal(json.nodes[0].exclusiveMs, 2.602); // 40.102 - 25.400 - 12.100
    assert.equal(json.nodes[1].exclusiveMs, 0.49); // 25.40 - 24.91, writing its result for the workers
    assert.deepEqual(json.nodes[1].raw, {
      'Subplan Duration': 25.4,
      'Intermediate Data Size': '180 bytes',
      'Result destination': 'Send to 2 nodes',
      PlannedStmt: [{ 'Planning Time': 0, Triggers: [], 'Execution Time': 24.95 }],
    });
    const text = analyzePlan(parseExplainJson(read(`${SUBPLAN}.txt`)));
    assert.deepEqual(modelOf(text), modelOf(json));
  });

  it('reads re-partition jobs (MapMergeJob) of the text format where the JSON keeps them', () => {
    const raw = parseExplainJson(`Aggregate (actual rows=1 loops=1)
  ->  Custom Scan (Citus Adaptive) (actual rows=6 loops=1)
        Task Count: 6
        Tuple data received from nodes: 48 bytes
        Tasks Shown: None, not supported for re-partition queries
        ->  MapMergeJob
              Map Task Count: 3
              Merge Task Count: 6
              ->  MapMergeJob
                    Map Task Count: 2
                    Merge Task Count: 3
        ->  MapMergeJob
              Map Task Count: 3
              Merge Task Count: 6`);
    assert.deepEqual(raw.Plan.Plans![0]['Distributed Query'], {
      Job: {
        'Task Count': 6,
        'Tuple data received from nodes': '48 bytes',
        'Tasks Shown': 'None, not supported for re-partition queries',
        'Dependent Jobs': [
          { 'Map Task Count': 3, 'Merge Task Count': 6, 'Dependent Jobs': [{ 'Map Task Count': 2, 'Merge Task Count': 3 }] },
          { 'Map Task Count': 3, 'Merge Task Count': 6 },
        ],
      },
    });
    assert.equal(analyzePlan(raw).nodes.length, 2, 'no task shown, no node added');
  });

  it('gives back the JSON exactly as Citus wrote it: the remote plans inside "Distributed Query", not in "Plans"', () => {
    for (const file of [`${ONE_OF_32}.json`, 'events-all-tasks.json', `${SUBPLAN}.json`]) {
      const original = JSON.parse(read(file)) as RawExplainResult[];
      const plan = analyzePlan(parseExplainJson(read(file)));
      assert.equal(JSON.stringify(rawPlanOf(plan)), JSON.stringify(original[0]), `${file}: same keys, values and order`);
      assert.deepEqual(JSON.parse(rawPlanJson(plan)), original);
    }
  });

  it('names the distributed table in findings on a shard and proposes no index for it', () => {
    const analysis = analyzeExplainOutput(read(`${ONE_OF_32}.json`));
    const seqScan = analysis.advice.findings.find((f) => f.ruleId === 'seq-scan-large-table')!;
    assert.equal(seqScan.nodeId, 4);
    assert.equal(nodeName(analysis.plan.nodes[4]), 'Seq Scan on orders_102008 orders', 'the node as the plan prints it');
    assert.equal(tableName(analysis.plan.nodes[4]), 'orders');
    assert.match(seqScan.explanation, /read every row of orders and/);
    assert.equal(seqScan.indexNeed, undefined, 'no suggestion will come for it');
    assert.match(
      seqScan.fix,
      /^An index serving the filter \(status = 'pending'::text\) on orders could help: on Citus, an index created on the distributed table is built on every shard/,
    );
    assert.doesNotMatch(seqScan.fix, /orders_102008/);
  });

  it("judges no misestimate on the Custom Scan, whose 100,000-row estimate is Citus's placeholder", () => {
    for (const file of [`${ONE_OF_32}.json`, `${ONE_OF_32}.txt`]) {
      const analysis = analyzeExplainOutput(read(file));
      const scan = analysis.plan.nodes[1];
      assert.equal(scan.label, 'Custom Scan (Citus Adaptive)');
      assert.deepEqual([scan.planRows, scan.actualRows], [100_000, 32], file);
      assert.equal(scan.misestimate, undefined, file);
      assert.ok(!analysis.advice.findings.some((f) => f.ruleId === 'row-misestimate' && f.nodeIds.includes(1)), file);
    }
  });

  it('has the index advisor skip nodes that ran on a worker, which a local scan of the same table would get', async () => {
    await ensureSqlParser();
    const columns = [
      { name: 'id', type: 'bigint', notNull: true },
      {
        name: 'status',
        type: 'text',
        notNull: true,
        stats: { nullFraction: 0, nDistinct: 50, mostCommonValues: ['shipped'], mostCommonFrequencies: [0.5] },
      },
    ];
    const table = (name: string) => ({
      schema: 'public',
      name,
      rowEstimate: 50_000,
      pages: 500,
      allVisiblePages: 500,
      columns,
      indexes: [],
    });
    const catalog: CatalogSnapshot = { tables: [table('orders'), table('orders_102008')] };
    const statementSql = read(`${ONE_OF_32}.sql`);

    const distributed = analyzePlan(parseExplainJson(read(`${ONE_OF_32}.json`)));
    assert.deepEqual(proposeIndexes({ plan: distributed, statementSql, catalog }), []);
    assert.ok(!tablesInPlan(distributed, statementSql).some((t) => t.table === 'orders_102008'));

    // The same worker plan read on its own (connected to the worker): the shard is a local table there.
    const remote = (
      parseExplainJson(read(`${ONE_OF_32}.json`)).Plan.Plans![0]['Distributed Query']!.Job!.Tasks![0][
        'Remote Plan'
      ]![0] as RawExplainResult[]
    )[0];
    const local = proposeIndexes({
      plan: analyzePlan(remote),
      statementSql: 'SELECT count(*) FROM orders_102008 orders WHERE status = $$pending$$',
      catalog,
    });
    assert.deepEqual(
      local.map((s) => [s.table, s.columns.map((c) => c.name)]),
      [['orders_102008', ['status']]],
    );
  });

  it('lists remote nodes apart in the JSON report, ids counting the whole tree', () => {
    const { raw, plan } = analyzeExplainOutput(read(`${ONE_OF_32}.json`));
    const report = buildPlanReport(raw, plan);
    assert.equal(report.nodeCount, 5);
    assert.deepEqual(
      report.nodes.map((n) => [n.id, n.remote]),
      [
        [0, null],
        [1, null],
      ],
    );
    assert.deepEqual(
      report.remoteNodes.map((n) => [n.id, n.parentId, n.nodeType, n.remote]),
      [
        [2, 1, 'Task', 'host=localhost port=9701 dbname=postgres'],
        [3, 2, 'Aggregate', 'host=localhost port=9701 dbname=postgres'],
        [4, 3, 'Seq Scan', 'host=localhost port=9701 dbname=postgres'],
      ],
    );
  });

  it('keeps a task whose plan Citus could not get, and reads a plan with no task shown', () => {
    const raw = parseExplainJson(read('events-all-tasks.json'));
    raw.Plan['Distributed Query']!.Job!.Tasks![1] = { Error: 'Could not get remote plan.' };
    const plan = analyzePlan(raw);
    assert.deepEqual(
      plan.nodes.map((n) => [n.label, n.childIds.length, n.remote === undefined]),
      [
        ['Custom Scan (Citus Adaptive)', 2, true],
        ['Task on 10.0.0.5:5432 app', 1, false],
        ['Index Scan', 0, false],
        ['Task', 0, false],
      ],
    );
    assert.equal(plan.nodes[0].exclusiveMs, 7.5);
    assert.equal(JSON.stringify(rawPlanOf(plan).Plan['Distributed Query']!.Job!.Tasks![1]), '{"Error":"Could not get remote plan."}');

    const none = parseExplainJson(`Custom Scan (Citus Adaptive)  (cost=0.00..0.00 rows=0 width=0)
  Task Count: 0
  Tasks Shown: All`);
    assert.deepEqual(none.Plan['Distributed Query'], { Job: { 'Task Count': 0, 'Tasks Shown': 'All' } });
    assert.equal(analyzePlan(none).nodes.length, 1);
  });

  it('rejects a remote plan node without a "Node Type", naming where it is', () => {
    const raw = JSON.parse(read('events-all-tasks.json')) as RawExplainResult[];
    const task = raw[0].Plan['Distributed Query']!.Job!.Tasks![1];
    delete ((task['Remote Plan']![0] as RawExplainResult[])[0].Plan as Record<string, unknown>)['Node Type'];
    assert.throws(
      () => parseExplainJson(raw),
      /Plan\["Distributed Query"\]\.Job\.Tasks\[1\]\["Remote Plan"\] \(plan 1\)\.Plan has no "Node Type"/,
    );
  });

  it('takes the distributed table from a shard name', () => {
    assert.deepEqual(['orders_102008', 'line_items_2', 'orders', 'v2_events_102044'].map(distributedTableOf), [
      'orders',
      'line_items',
      'orders',
      'v2_events',
    ]);
  });
});
