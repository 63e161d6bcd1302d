/**
 * The plan history on a real folder: what is kept, the bounds (number of plans, bytes), grouping by
 * fingerprint, clearing, and damaged files, which are reported and never stop the extension.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import { ensureSqlParser } from '../../src/core/sql';
import { DEFAULT_MAX_BYTES, PlanHistory, type HistoryLimits, type HistoryRecord } from '../../src/history/plan-history';
import { PG15_DIR } from '../webview/sample-advice';

async function fixture(name: string): Promise<{ explainJson: unknown; statement: string }> {
  return {
    explainJson: JSON.parse(await readFile(join(PG15_DIR, `${name}.json`), 'utf8')) as unknown,
    statement: (await readFile(join(PG15_DIR, `${name}.sql`), 'utf8')).trim(),
  };
}

function record(explainJson: unknown, sqlText: string, ranAt: string, params?: Array<string | null>): HistoryRecord {
  const plan = analyzePlan(parseExplainJson(explainJson));
  return {
    sqlText,
    statement: sqlText,
    server: 'PostgreSQL 15 · shop',
    ranAt,
    mode: plan.analyzed ? 'analyze' : 'estimate',
    params,
    explainJson,
    plan,
  };
}

describe('plan history store', () => {
  let dir: string;
  let logs: string[];
  let limits: HistoryLimits;
  const open = () =>
    new PlanHistory(
      dir,
      () => limits,
      (line) => logs.push(line),
    );

  before(() => ensureSqlParser());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-history-'));
    logs = [];
    limits = { maxPlans: 200, maxBytes: DEFAULT_MAX_BYTES };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps statement, fingerprint, server, time, values, the raw plan and its summary, across restarts', async () => {
    const { explainJson } = await fixture('nested-loop-many-loops');
    const history = open();
    const entry = await history.record(
      record(explainJson, 'SELECT * FROM orders WHERE customer_id = $1', '2026-12-05T09:00:00.000Z', ['42']),
    );
    assert.ok(entry);
    const reopened = open();
    const [kept] = await reopened.list();
    assert.equal(kept.id, entry.id);
    assert.equal(kept.statement, 'SELECT * FROM orders WHERE customer_id = $1');
    assert.match(kept.fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(kept.server, 'PostgreSQL 15 · shop');
    assert.equal(kept.ranAt, '2026-12-05T09:00:00.000Z');
    assert.deepEqual(kept.params, ['42']);
    assert.deepEqual(kept.summary, {
      executionMs: 1.118,
      planningMs: 0.077,
      totalCost: 898.75,
      nodeCount: 3,
      buffers: kept.summary.buffers,
    });
    assert.equal(kept.summary.buffers?.sharedHit, 6013);
    assert.deepEqual(await reopened.readPlan(entry.id), explainJson, 'the plan comes back as PostgreSQL returned it');
    assert.deepEqual(logs, []);
  });

  it('groups runs of one statement by fingerprint, whatever the constants and layout, newest first', async () => {
    const nested = (await fixture('nested-loop-many-loops')).explainJson;
    const hash = (await fixture('nested-loop-many-loops-hash')).explainJson;
    const history = open();
    await history.record(record(nested, 'SELECT name FROM customers WHERE region < 5', '2026-12-05T09:00:00.000Z'));
    await history.record(record(hash, 'SELECT * FROM orders', '2026-12-05T09:01:00.000Z'));
    await history.record(record(hash, 'select name\n  from customers where region < 7', '2026-12-05T09:02:00.000Z'));
    const groups = await history.byStatement();
    assert.deepEqual(
      groups.map((g) => ({ statement: g.statement, runs: g.entries.map((e) => e.ranAt.slice(11, 16)) })),
      [
        { statement: 'select name\n  from customers where region < 7', runs: ['09:02', '09:00'] },
        { statement: 'SELECT * FROM orders', runs: ['09:01'] },
      ],
    );
  });

  it('drops the oldest plans beyond the number allowed, with their files', async () => {
    const { explainJson } = await fixture('nested-loop-many-loops');
    limits = { maxPlans: 3, maxBytes: DEFAULT_MAX_BYTES };
    const history = open();
    for (let i = 0; i < 5; i++) await history.record(record(explainJson, `SELECT ${i}`, `2026-12-05T09:0${i}:00.000Z`));
    const kept = await history.list();
    assert.deepEqual(
      kept.map((e) => e.statement),
      ['SELECT 4', 'SELECT 3', 'SELECT 2'],
    );
    assert.deepEqual((await readdir(join(dir, 'plans'))).sort(), kept.map((e) => `${e.id}.json`).sort());
  });

  it('drops the oldest plans beyond the byte budget, and refuses a plan larger than the whole budget', async () => {
    const small = (await fixture('nested-loop-many-loops')).explainJson;
    const large = (await fixture('ecommerce-topn-n7')).explainJson;
    const smallBytes = JSON.stringify(small).length;
    const largeBytes = JSON.stringify(large).length;
    assert.ok(largeBytes > smallBytes);
    limits = { maxPlans: 200, maxBytes: largeBytes + smallBytes };
    const history = open();
    await history.record(record(small, 'SELECT 1', '2026-12-05T09:00:00.000Z'));
    await history.record(record(small, 'SELECT 2', '2026-12-05T09:01:00.000Z'));
    await history.record(record(large, 'SELECT 3', '2026-12-05T09:02:00.000Z'));
    assert.deepEqual(
      (await history.list()).map((e) => e.statement),
      ['SELECT 3', 'SELECT 2'],
    );

    limits = { maxPlans: 200, maxBytes: smallBytes };
    assert.equal(await history.record(record(large, 'SELECT 4', '2026-12-05T09:03:00.000Z')), undefined);
    assert.match(logs[0], /larger than the whole history budget/);
    assert.deepEqual(
      (await history.list()).map((e) => e.statement),
      ['SELECT 3', 'SELECT 2'],
    );
  });

  it('clears every plan and file, and tells its listeners', async () => {
    const { explainJson } = await fixture('nested-loop-many-loops');
    const history = open();
    let changes = 0;
    history.onDidChange(() => changes++);
    await history.record(record(explainJson, 'SELECT 1', '2026-12-05T09:00:00.000Z'));
    await history.clear();
    assert.equal(changes, 2);
    assert.deepEqual(await history.list(), []);
    assert.deepEqual(await open().list(), []);
    assert.deepEqual(await readdir(dir), ['history.json']);
  });

  it('ignores a corrupt index with one log line and starts over', async () => {
    await writeFile(join(dir, 'history.json'), '{"version":1,"entries":[{"id":');
    const history = open();
    assert.deepEqual(await history.list(), []);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /history\.json is corrupt .*the history starts empty/);
    const { explainJson } = await fixture('nested-loop-many-loops');
    await history.record(record(explainJson, 'SELECT 1', '2026-12-05T09:00:00.000Z'));
    assert.equal((await open().list()).length, 1, 'the next explain replaces the corrupt file');
  });

  it('skips malformed entries and ids that are not its own, keeping the rest', async () => {
    const { explainJson } = await fixture('nested-loop-many-loops');
    const history = open();
    const good = await history.record(record(explainJson, 'SELECT 1', '2026-12-05T09:00:00.000Z'));
    const index = JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')) as { entries: unknown[] };
    index.entries.push({ ...(index.entries[0] as object), id: '../../etc/passwd' }, { id: 7 });
    await writeFile(join(dir, 'history.json'), JSON.stringify(index));
    const reopened = open();
    assert.deepEqual(
      (await reopened.list()).map((e) => e.id),
      [good!.id],
    );
    assert.deepEqual(logs, [`Plan history: 2 malformed entries in ${join(dir, 'history.json')} were ignored.`]);
  });

  it('forgets a plan whose file is damaged, saying so', async () => {
    const { explainJson } = await fixture('nested-loop-many-loops');
    const history = open();
    const entry = (await history.record(record(explainJson, 'SELECT 1', '2026-12-05T09:00:00.000Z')))!;
    await writeFile(join(dir, 'plans', `${entry.id}.json`), '[{"Plan": ');
    assert.equal(await history.readPlan(entry.id), undefined);
    assert.match(logs[0], /could not be read .*removed from the history/);
    assert.deepEqual(await open().list(), []);
  });
});
