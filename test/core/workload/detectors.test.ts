import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ensureSqlParser } from '../../../src/core/sql';
import { analyzeWorkload } from '../../../src/core/workload/index';
import { DEFAULT_WORKLOAD_SETTINGS, type RecordedStatement } from '../../../src/core/workload/model';
import { statementFacts } from '../../../src/core/workload/statement-facts';
import { RecordingStore } from '../../../src/core/workload/recording-store';
import { diffStatStatements, statStatementFindings, type StatStatement } from '../../../src/core/workload/stat-statements';

// What the store retains, not garbage not yet collected: a full collection before each reading.
setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A statement stream as the recorder produces it, fingerprinted by PostgreSQL's parser. */
function stream() {
  let seq = 0;
  const statements: RecordedStatement[] = [];
  const add = (sql: string, options: Partial<RecordedStatement> = {}): void => {
    const params = options.params ?? [];
    statements.push({
      seq: ++seq,
      connectionId: 1,
      transactionId: seq,
      applicationName: '',
      sql,
      params,
      startedAt: 0,
      durationMs: 1,
      rows: 1,
      command: /^\s*(\w+)/.exec(sql)![1].toUpperCase(),
      ...statementFacts(sql, params),
      ...options,
    });
  };
  return { statements, add };
}

describe('workload detectors', () => {
  before(() => ensureSqlParser());

  it('finds N+1: a run of one lookup with different parameters after a query with as many rows', () => {
    const { statements, add } = stream();
    add('SELECT id, category_id FROM products LIMIT 6', { rows: 6 });
    for (let id = 1; id <= 6; id++) add('SELECT * FROM categories WHERE id = $1', { params: [String(id)], durationMs: 2 });
    const [finding, ...rest] = analyzeWorkload(statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual(rest, []);
    assert.equal(finding.id, 'n-plus-one');
    assert.equal(finding.calls, 6);
    assert.equal(finding.totalMs, 12);
    assert.match(finding.fix, /WHERE id = ANY\(\$1\)/);
  });

  it('does not call a run N+1 below the threshold, across connections, or with more calls than driving rows', () => {
    const below = stream();
    below.add('SELECT id FROM products', { rows: 10 });
    for (let id = 1; id <= 4; id++) below.add('SELECT * FROM categories WHERE id = $1', { params: [String(id)] });
    assert.deepEqual(analyzeWorkload(below.statements, DEFAULT_WORKLOAD_SETTINGS), []);

    const alternating = stream();
    alternating.add('SELECT id FROM products', { rows: 10 });
    for (let id = 1; id <= 6; id++)
      alternating.add('SELECT * FROM categories WHERE id = $1', { params: [String(id)], connectionId: id % 2 === 0 ? 1 : 2 });
    assert.deepEqual(analyzeWorkload(alternating.statements, DEFAULT_WORKLOAD_SETTINGS), []);

    const fewRows = stream();
    fewRows.add('SELECT id FROM products', { rows: 2 });
    for (let id = 1; id <= 6; id++) fewRows.add('SELECT * FROM categories WHERE id = $1', { params: [String(id)] });
    assert.deepEqual(analyzeWorkload(fewRows.statements, DEFAULT_WORKLOAD_SETTINGS), []);
  });

  it('finds each shape of a loop that interleaves lookups: two relations per row, a collection per row and a relation per item', () => {
    const { statements, add } = stream();
    add('SELECT id FROM orders', { rows: 6 });
    let product = 0;
    for (let order = 1; order <= 6; order++) {
      add('SELECT * FROM customers WHERE id = $1', { params: [String(order)] });
      add('SELECT * FROM order_items WHERE order_id = $1', { params: [String(order)], rows: 3 });
      for (let item = 0; item < 3; item++) add('SELECT * FROM products WHERE id = $1', { params: [String(++product)] });
    }
    const findings = analyzeWorkload(statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual(
      findings
        .map((f) => [
          f.id,
          f.calls,
          /FROM (\w+)/.exec(f.query)![1],
          /one per row of "SELECT \* FROM (\w+)|one per row of "SELECT id FROM (\w+)/.exec(f.message)!.slice(1).join(''),
        ])
        .sort((x, y) => String(x[2]).localeCompare(String(y[2]))),
      [
        ['n-plus-one', 6, 'customers', 'orders'],
        ['n-plus-one', 6, 'order_items', 'customers'],
        ['n-plus-one', 18, 'products', 'order_items'],
      ],
    );
  });

  it('starts a new loop at the next driving query: two requests of one loop each, and a page query between two loops', () => {
    const requests = stream();
    for (let request = 0; request < 2; request++) {
      requests.add('SELECT id FROM products LIMIT 6', { rows: 6 });
      for (let id = 1; id <= 6; id++) requests.add('SELECT * FROM categories WHERE id = $1', { params: [String(id + request * 6)] });
    }
    const [both] = analyzeWorkload(requests.statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual([both.calls, /2 loops/.test(both.message)], [12, true]);

    const pages = stream();
    pages.add('SELECT id FROM products LIMIT 6', { rows: 6 });
    for (let id = 1; id <= 6; id++) pages.add('SELECT * FROM categories WHERE id = $1', { params: [String(id)] });
    pages.add('SELECT id FROM products WHERE id > 6 LIMIT 6', { rows: 6 });
    for (let id = 7; id <= 12; id++) pages.add('SELECT * FROM categories WHERE id = $1', { params: [String(id)] });
    const [paged] = analyzeWorkload(pages.statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual([paged.calls, /2 loops/.test(paged.message)], [12, true]);
  });

  it('reports the same statement with the same parameters as repeated, not N+1', () => {
    const { statements, add } = stream();
    add('SELECT id FROM products', { rows: 10 });
    for (let i = 0; i < 7; i++) add('SELECT * FROM settings WHERE key = $1', { params: ['currency'] });
    const findings = analyzeWorkload(statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual(
      findings.map((finding) => [finding.id, finding.calls]),
      [['repeated-statement', 7]],
    );
  });

  it('finds row-by-row inserts, but not multi-row VALUES', () => {
    const single = stream();
    for (let i = 0; i < 12; i++) single.add(`INSERT INTO orders (product_id) VALUES (${i})`, { transactionId: 7 });
    const [finding] = analyzeWorkload(single.statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.equal(finding.id, 'row-by-row-write');
    assert.equal(finding.calls, 12);
    assert.match(finding.message, /in one transaction/);
    assert.match(finding.fix, /multi-row INSERT/);

    const batched = stream();
    for (let i = 0; i < 12; i++) batched.add(`INSERT INTO orders (product_id) VALUES (${i}), (${i + 100})`, { rows: 2 });
    assert.deepEqual(analyzeWorkload(batched.statements, DEFAULT_WORKLOAD_SETTINGS), []);
  });

  it('finds OFFSET pagination over growing offsets, as constants or parameters', () => {
    const constants = stream();
    for (let page = 0; page < 5; page++) constants.add(`SELECT * FROM products ORDER BY id LIMIT 50 OFFSET ${page * 50}`, { rows: 50 });
    const [finding] = analyzeWorkload(constants.statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.equal(finding.id, 'offset-pagination');
    assert.equal(finding.calls, 5);
    assert.match(finding.message, /up to OFFSET 200/);
    assert.match(finding.fix, /WHERE id > \$last ORDER BY id LIMIT n/);

    const bound = stream();
    for (let page = 1; page <= 3; page++)
      bound.add('SELECT * FROM products ORDER BY id LIMIT $1 OFFSET $2', { params: ['20', String(page * 20)], rows: 20 });
    assert.deepEqual(
      analyzeWorkload(bound.statements, DEFAULT_WORKLOAD_SETTINGS).map((found) => found.id),
      ['offset-pagination'],
    );
  });

  it('finds slow statements over the threshold, with their count and total', () => {
    const { statements, add } = stream();
    add('SELECT pg_sleep(0.6)', { durationMs: 612 });
    add('SELECT pg_sleep(0.7)', { durationMs: 705 });
    add('SELECT pg_sleep(0.1)', { durationMs: 101 });
    const [finding, ...rest] = analyzeWorkload(statements, DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual(rest, []);
    assert.equal(finding.id, 'slow-statement');
    assert.equal(finding.calls, 2);
    assert.equal(finding.totalMs, 1317);
    assert.equal(finding.query, 'SELECT pg_sleep($1)');
  });
});

describe('the recording store', () => {
  it('keeps counts exact and memory bounded over a million statements', function () {
    this.timeout(120_000);
    const store = new RecordingStore({ settings: DEFAULT_WORKLOAD_SETTINGS });
    const shapes = 250;
    const total = 1_000_000;
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < total; i++) {
      const shape = i % shapes;
      store.add({
        seq: i + 1,
        connectionId: i % 64,
        transactionId: i,
        applicationName: 'load',
        // Every text differs, as with drivers that inline their parameters.
        sql: `SELECT * FROM t${shape} WHERE id = ${i}`,
        params: [],
        startedAt: i,
        durationMs: 0.5,
        rows: 1,
        command: 'SELECT',
        fingerprint: `f${shape}`,
        normalized: `SELECT * FROM t${shape} WHERE id = $1`,
      });
    }
    const groups = store.groups();
    assert.equal(store.statementCount, total);
    assert.equal(groups.length, shapes);
    assert.equal(
      groups.reduce((sum, group) => sum + group.calls, 0),
      total,
    );
    assert.equal(groups[0].totalMs, (total / shapes) * 0.5);
    assert.ok(groups.every((group) => group.samples.length <= 20));
    assert.ok(store.latest().length <= 2000);
    assert.equal(store.latest().at(-1)?.seq, total);
    collectGarbage();
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    // The statements themselves would take several hundred MB.
    assert.ok(grownMb < 100, `heap grew by ${grownMb.toFixed(0)} MB`);
  });

  it('counts shapes beyond its limit under "other statements", still exactly', () => {
    const store = new RecordingStore({ settings: DEFAULT_WORKLOAD_SETTINGS, maxShapes: 10 });
    for (let i = 0; i < 25; i++) {
      store.add({
        seq: i,
        connectionId: 1,
        transactionId: i,
        applicationName: '',
        sql: `S${i}`,
        params: [],
        startedAt: 0,
        durationMs: 1,
        rows: 0,
        command: 'SELECT',
        fingerprint: `f${i}`,
        normalized: `S${i}`,
      });
    }
    const groups = store.groups();
    assert.equal(groups.length, 11);
    assert.equal(groups.find((group) => group.fingerprint === 'other')?.calls, 15);
    assert.equal(
      groups.reduce((sum, group) => sum + group.calls, 0),
      25,
    );
  });
});

describe('pg_stat_statements snapshots', () => {
  const at = (calls: number, totalMs: number, rows = calls): StatStatement => ({
    queryid: '1',
    query: 'SELECT * FROM categories WHERE id = $1',
    calls,
    totalMs,
    rows,
  });

  it('diffs two snapshots, and counts from zero after a reset', () => {
    assert.deepEqual(diffStatStatements([at(10, 5)], [at(2010, 105)]), [at(2000, 100)]);
    assert.deepEqual(diffStatStatements([at(10, 5)], [at(10, 5)]), []);
    assert.deepEqual(diffStatStatements([at(5000, 50)], [at(3, 1)]), [at(3, 1)]);
  });

  it('flags a single-row lookup that dominates the calls as a possible N+1, and slow means as slow', () => {
    const lookups = at(5000, 250);
    const slow: StatStatement = { queryid: '2', query: 'SELECT count(*) FROM orders', calls: 2, totalMs: 1400, rows: 2 };
    const findings = statStatementFindings([lookups, slow], DEFAULT_WORKLOAD_SETTINGS);
    assert.deepEqual(
      findings.map((finding) => [finding.id, finding.fingerprint, finding.calls]),
      [
        ['slow-statement', '2', 2],
        ['n-plus-one', '1', 5000],
      ],
    );
  });
});
