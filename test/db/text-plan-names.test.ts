/**
 * Names in a VERBOSE text plan are printed schema-qualified and quoted where SQL needs quotes
 * (`public."mytable:2020-12-09"`, `pg_temp_3.pp`). They are read back into the plain names and the
 * schema that EXPLAIN (FORMAT JSON) gives for the same statement, because index advice and DDL are
 * built from those: a quoted or qualified string kept as "the relation name" would be quoted twice.
 */
import { strict as assert } from 'node:assert';
import { analyzePlan, parseExplainJson } from '../../src/core/plan';
import { Client } from 'pg';
import { postgresConfigured } from '../support/postgres-configured';

const schema = `plan_lens_names_${process.pid}`;
const table = 'mytable:2020-12-09';
const index = 'mytable:2020-12-09_coalesce_col1_col2_idx';

describe('text and JSON VERBOSE plans name relations and indexes alike (PostgreSQL)', function () {
  // One session: a temporary table lives in this session's pg_temp_N schema.
  let client: Client | undefined;

  before(async function () {
    if (!postgresConfigured(process.env)) this.skip();
    client = new Client();
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}."${table}" (col1 int, col2 int, note text)`);
    await client.query(`INSERT INTO ${schema}."${table}" SELECT g % 100, g, 'n' || g FROM generate_series(1, 5000) g`);
    await client.query(`CREATE INDEX "${index}" ON ${schema}."${table}" (coalesce(col1, 0), coalesce(col2, 0))`);
    await client.query(`ANALYZE ${schema}."${table}"`);
  });

  after(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client?.end();
  });

  async function twins(statement: string) {
    const session = client!;
    await session.query('CREATE TEMP TABLE IF NOT EXISTS pp (col1 int)');
    await session.query('TRUNCATE pp; INSERT INTO pp SELECT g FROM generate_series(1, 50) g; ANALYZE pp');
    await session.query('SET enable_seqscan = off');
    const text = await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, VERBOSE) ${statement}`);
    const json = await session.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) ${statement}`);
    await session.query('RESET enable_seqscan');
    const printed = text.rows.map((row) => row['QUERY PLAN']).join('\n');
    return { text: analyzePlan(parseExplainJson(printed)), json: analyzePlan(parseExplainJson(json.rows[0]!['QUERY PLAN'])), printed };
  }

  it('reads public."name:with-colon" and a quoted index name as the plain names and their schema', async () => {
    const { text, json, printed } = await twins(
      `SELECT t.note FROM ${schema}."${table}" t JOIN pp ON coalesce(t.col1, 0) = pp.col1 AND coalesce(t.col2, 0) = 7`,
    );
    assert.match(printed, new RegExp(`${schema}\\."${table}"`), 'the text plan prints the quoted, qualified name');
    assert.match(printed, new RegExp(`(using|on) "${index}"`), 'and the quoted index name');
    assert.equal(text.nodes.length, json.nodes.length);
    const scanned = text.nodes.filter((node) => node.relation !== undefined);
    assert.ok(scanned.some((node) => node.relation === table && node.schema === schema));
    assert.ok(scanned.some((node) => node.index === index));
    assert.ok(scanned.some((node) => node.relation === 'pp' && /^pg_temp(_\d+)?$/.test(node.schema ?? '')));
    text.nodes.forEach((node, i) => {
      const twin = json.nodes[i]!;
      assert.deepEqual(
        [node.relation, node.schema, node.index, node.alias],
        [twin.relation, twin.schema, twin.index, twin.alias],
        `node ${i}`,
      );
    });
  });
});
