/**
 * The explain-and-advise path against real servers: PostgreSQL 15 (generic plans through PREPARE, HypoPG-verified
 * advice) and the embedded PGlite (PostgreSQL 17+, generic plans through EXPLAIN (GENERIC_PLAN)).
 */
import { strict as assert } from 'node:assert';
import { ensureSqlParser } from '../../src/core/sql';
import { ExplainStatementError } from '../../src/db/explain-runner';
import { createPool, type PlanLensPool } from '../../src/db/pool';
import {
  describeExplainFailure,
  explainAgain,
  explainAndAdvise,
  explainCaptured,
  ExplainDeclinedError,
  MissingParametersError,
  ParameterCountError,
  prepareStatement,
  type ExplainDatabase,
  type PreparedStatement,
} from '../../src/explain';
import { forEachServer } from '../support/test-servers';

const schema = `plan_lens_path_${process.pid}`;

const FIXTURE = `
  DROP SCHEMA IF EXISTS ${schema} CASCADE;
  CREATE SCHEMA ${schema};
  CREATE TABLE ${schema}.orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, total numeric NOT NULL);
  INSERT INTO ${schema}.orders SELECT g, g % 5000, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'paid' END, g % 997
    FROM generate_series(1, 200000) g;
  ANALYZE ${schema}.orders;`;

function prepared(text: string): PreparedStatement {
  const outcome = prepareStatement(text, { applicationPlaceholders: true });
  if (!outcome.ok) throw outcome.error;
  return outcome.statement;
}

interface PlanJson {
  Plan: Record<string, unknown>;
  'Execution Time'?: number;
}

function planJson(explainJson: unknown): PlanJson {
  return (explainJson as PlanJson[])[0]!;
}

forEachServer((server) => {
  describe(`the explain-and-advise path on ${server.name}`, function () {
    let pool: PlanLensPool;
    let database: ExplainDatabase;
    let versionNum: number;

    before(async function () {
      const connection = await server.connect(this);
      await ensureSqlParser();
      pool = createPool(connection, { max: 2 });
      const client = await pool.connect();
      try {
        await client.query(FIXTURE);
        versionNum = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v);
      } finally {
        client.release();
      }
      database = { pool, name: server.name };
    });

    after(async () => {
      if (!pool) return;
      const client = await pool.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.release());
      await pool.end();
    });

    it('plans a $1 statement without values: a generic plan, on every version', async () => {
      const statement = prepared(`SELECT * FROM ${schema}.orders WHERE customer_id = $1 AND status = :status`);
      const result = await explainAndAdvise(database, { statement, analyze: true, generic: true });
      assert.equal(result.generic, true);
      assert.equal(result.analyzed, false, 'a generic plan is estimates only');
      assert.equal(result.run.options.genericPlan, true);
      const plan = JSON.stringify(planJson(result.run.explainJson).Plan);
      assert.match(plan, /customer_id = \$1/);
      assert.match(plan, /status = \$2/);
      assert.equal(result.analysis.plan.analyzed, false);
      // PostgreSQL 15 has no GENERIC_PLAN: the plan came through PREPARE under force_generic_plan.
      assert.equal(versionNum >= 160000, server.embedded);
    });

    it('runs EXPLAIN ANALYZE with parameter values, NULL as SQL NULL', async () => {
      const statement = prepared(`SELECT * FROM ${schema}.orders WHERE customer_id = %(customer)s AND status = %(status)s`);
      const result = await explainAndAdvise(database, { statement, analyze: true, params: ['42', 'paid'] });
      assert.equal(result.analyzed, true);
      const rows = planJson(result.run.explainJson).Plan['Actual Rows'];
      assert.equal(rows, 40, 'customer 42 has 40 orders, all paid');
      const none = await explainAndAdvise(database, { statement, analyze: true, params: ['42', null] });
      assert.equal(planJson(none.run.explainJson).Plan['Actual Rows'], 0);
    });

    it('refuses to guess: missing values or the wrong number of them', async () => {
      const statement = prepared(`SELECT * FROM ${schema}.orders WHERE customer_id = ? AND status = ?`);
      await assert.rejects(explainAndAdvise(database, { statement, analyze: true }), (error: unknown) => {
        assert.ok(error instanceof MissingParametersError);
        assert.equal(
          describeExplainFailure(error, statement, 'here').message,
          'the statement has 2 placeholders (? #1, ? #2) and no values: give one value for each, in order, or ask for a generic plan (estimates only)',
        );
        return true;
      });
      await assert.rejects(explainAndAdvise(database, { statement, analyze: true, params: ['1'] }), ParameterCountError);
    });

    it('asks the side-effect check before running a data-changing statement, and obeys it', async () => {
      const statement = prepared(`UPDATE ${schema}.orders SET status = 'void' WHERE id = :id`);
      const asked: string[] = [];
      const estimate = await explainAndAdvise(database, {
        statement,
        analyze: true,
        params: ['7'],
        confirmSideEffects: async (effects) => {
          asked.push(effects.kind === 'changes-data' ? effects.commandTag : effects.kind);
          return 'estimate';
        },
      });
      assert.deepEqual(asked, ['UPDATE']);
      assert.equal(estimate.analyzed, false);
      await assert.rejects(
        explainAndAdvise(database, { statement, analyze: true, params: ['7'], confirmSideEffects: async () => 'cancel' }),
        ExplainDeclinedError,
      );
      const ran = await explainAndAdvise(database, { statement, analyze: true, params: ['7'], confirmSideEffects: async () => 'run' });
      assert.equal(ran.analyzed, true);
      const client = await pool.connect();
      try {
        const { rows } = await client.query(`SELECT status FROM ${schema}.orders WHERE id = 7`);
        assert.equal(rows[0].status, 'paid', 'rolled back');
      } finally {
        client.release();
      }
      const quiet = prepared(`SELECT count(*) FROM ${schema}.orders`);
      await explainAndAdvise(database, {
        statement: quiet,
        analyze: true,
        confirmSideEffects: async () => assert.fail('a SELECT is not asked about'),
      });
    });

    it('points a server error at the text as written, past application placeholders', async () => {
      const text = `SELECT * FROM ${schema}.orders\nWHERE customer_id = %(customer)s AND colour = %(colour)s`;
      const statement = prepared(text);
      for (const request of [{ params: ['1', 'red'] }, { generic: true }]) {
        const failure = await explainAndAdvise(database, { statement, analyze: true, ...request }).then(
          () => assert.fail('the column does not exist'),
          (error: unknown) => {
            assert.ok(error instanceof ExplainStatementError);
            return describeExplainFailure(error, statement, 'here');
          },
        );
        assert.equal(failure.kind, 'statement');
        assert.ok(failure.kind === 'statement');
        assert.equal(failure.inputIndex, text.indexOf('colour'));
        assert.equal(failure.message, 'PostgreSQL rejected the statement: column "colour" does not exist.');
      }
    });

    it('advises indexes in the background: verified with HypoPG on PostgreSQL, with an index built and rolled back on the demo', async function () {
      this.timeout(120_000);
      const statement = prepared(`SELECT * FROM ${schema}.orders WHERE customer_id = :customer`);
      const result = await explainAndAdvise(database, { statement, analyze: true, params: ['42'], indexes: { concurrently: true } });
      const outcome = await result.advice;
      assert.ok(!(outcome instanceof Error), String(outcome));
      const [top] = outcome.advice.suggestions;
      assert.ok(top, 'an index on customer_id is suggested');
      assert.deepEqual(
        top.columns.map((c) => c.name),
        ['customer_id'],
      );
      assert.equal(top.where, undefined, "a parameter's value never becomes a partial index");
      assert.equal(outcome.verified, 1);
      assert.equal(top.verification.method, server.embedded ? 'rolled-back-index' : 'hypopg');

      const again = await explainAgain(database, result);
      assert.equal(again.analyzed, true);
      assert.deepEqual(again.request.params, ['42']);
    });

    it('explains a captured statement with its bound values, as a recorder would', async () => {
      const result = await explainCaptured(
        database,
        { sql: `SELECT count(*) FROM ${schema}.orders WHERE customer_id = $1 AND total > $2`, params: ['42', '500'] },
        { analyze: true },
      );
      assert.equal(result.analyzed, true);
      assert.equal(result.request.statement.slots.length, 2);
      assert.ok(planJson(result.run.explainJson)['Execution Time'] !== undefined);
    });
  });
});
