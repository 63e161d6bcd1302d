import assert from 'node:assert/strict';
import { ensureSqlParser } from '../../../src/core/sql';
import { findSideEffects, insertTargets } from '../../../src/core/sql/side-effects';

describe('findSideEffects: what a rollback cannot undo, read from the statement', function () {
  before(async function () {
    await ensureSqlParser();
  });

  const cases: Array<[sql: string, kind: string, name: string]> = [
    ["SELECT setval('s', 1000)", 'sequence', 'setval'],
    ["SELECT nextval('s')", 'sequence', 'nextval'],
    ["SELECT pg_catalog.nextval('s') FROM generate_series(1, 3)", 'sequence', 'nextval'],
    ["SELECT * FROM t WHERE id IN (SELECT nextval('s'))", 'sequence', 'nextval'],
    ["SELECT pg_create_physical_replication_slot('x')", 'replication', 'pg_create_physical_replication_slot'],
    ["SELECT * FROM pg_logical_slot_get_changes('x', NULL, NULL)", 'replication', 'pg_logical_slot_get_changes'],
    ['SELECT pg_switch_wal()', 'wal', 'pg_switch_wal'],
    ["SELECT dblink_exec('host=elsewhere', 'DELETE FROM t')", 'remote-write', 'dblink_exec'],
    ["SELECT * FROM dblink('host=elsewhere', 'SELECT 1') AS r(a int)", 'remote-write', 'dblink'],
    ['SELECT pg_advisory_lock(1)', 'session-lock', 'pg_advisory_lock'],
    ['SELECT pg_try_advisory_lock_shared(1, 2)', 'session-lock', 'pg_try_advisory_lock_shared'],
    ["SELECT lo_export(16384, '/tmp/x')", 'file', 'lo_export'],
    ["SELECT lo_import('/etc/passwd')", 'file', 'lo_import'],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'other-backends', 'pg_terminate_backend'],
    ['SELECT pg_cancel_backend(42)', 'other-backends', 'pg_cancel_backend'],
    ['SELECT pg_reload_conf()', 'configuration', 'pg_reload_conf'],
    ['SELECT pg_stat_reset()', 'statistics', 'pg_stat_reset'],
    ['WITH x AS (SELECT pg_stat_statements_reset()) SELECT * FROM x', 'statistics', 'pg_stat_statements_reset'],
    ["UPDATE t SET id = nextval('s')", 'sequence', 'nextval'],
  ];
  for (const [sql, kind, name] of cases) {
    it(`${name} in: ${sql}`, function () {
      const effects = findSideEffects(sql);
      assert.deepEqual(
        effects.map((e) => [e.kind, e.functionName]),
        [[kind, name]],
      );
      assert.match(effects[0]!.message, new RegExp(`^${name}\\(\\) `));
    });
  }

  it('finds nothing in statements whose every effect is rolled back or sent only on commit', function () {
    for (const sql of [
      'SELECT 1',
      "SELECT pg_notify('channel', 'payload')",
      'SELECT pg_advisory_xact_lock(1)',
      "SELECT currval('s')",
      'DELETE FROM t',
      'INSERT INTO t (id) VALUES (1)',
      "SELECT 'nextval(s)'",
      'SELECT nextval FROM t',
    ]) {
      assert.deepEqual(findSideEffects(sql), [], sql);
    }
  });

  it('names each effect once, in the order the statement calls them', function () {
    const effects = findSideEffects("SELECT nextval('a'), pg_advisory_lock(1), nextval('b'), pg_advisory_lock(2)");
    assert.deepEqual(
      effects.map((e) => e.functionName),
      ['nextval', 'pg_advisory_lock'],
    );
  });

  it('an insert draws from a sequence only where the catalog says a column defaults to one', function () {
    const sql = 'WITH moved AS (INSERT INTO audit.log (note) VALUES (1) RETURNING *) INSERT INTO orders (note) SELECT note FROM moved';
    assert.deepEqual(insertTargets(sql), [{ table: 'orders' }, { schema: 'audit', table: 'log' }]);
    assert.deepEqual(findSideEffects(sql), []);
    const effects = findSideEffects(sql, { sequenceDefaultTables: [{ schema: 'audit', table: 'log' }] });
    assert.deepEqual(
      effects.map((e) => [e.kind, e.functionName]),
      [['sequence', 'audit.log']],
    );
    assert.match(effects[0]!.message, /Inserting into audit\.log draws values from its sequence/);
    assert.deepEqual(insertTargets('MERGE INTO stock s USING delta d ON s.id = d.id WHEN NOT MATCHED THEN INSERT VALUES (d.id)'), [
      { table: 'stock' },
    ]);
  });

  it('reads statements nested deeper than the call stack allows', function () {
    const depth = 20_000;
    const sql = `SELECT ${'ARRAY['.repeat(depth)}nextval('s')${']'.repeat(depth)}`;
    const started = performance.now();
    const effects = findSideEffects(sql);
    // The parser itself may refuse a nesting this deep; either way no RangeError escapes.
    assert.ok(effects.length <= 1);
    assert.ok(performance.now() - started < 10_000);
  });
});
