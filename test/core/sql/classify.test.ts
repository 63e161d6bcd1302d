import * as assert from 'node:assert/strict';
import {
  checkSingleStatement,
  classifyStatement,
  ensureSqlParser,
  SqlInputError,
  SqlSyntaxError,
  type StatementInfo,
} from '../../../src/core/sql';

type Command = Pick<StatementInfo, 'kind' | 'explainable' | 'commandTag'>;

function commandOf(sql: string): Command {
  const { kind, explainable, commandTag } = classifyStatement(sql);
  return { kind, explainable, commandTag };
}

describe('classify', () => {
  before(() => ensureSqlParser());

  describe('classifyStatement: kind, explainability and command tag', () => {
    const expectations: Array<[string, Command]> = [
      ['SELECT * FROM users WHERE id = 1', { kind: 'query', explainable: true, commandTag: 'SELECT' }],
      ['VALUES (1, 2), (3, 4)', { kind: 'query', explainable: true, commandTag: 'SELECT' }],
      ['TABLE users', { kind: 'query', explainable: true, commandTag: 'SELECT' }],
      ['INSERT INTO users (name) VALUES ($1)', { kind: 'data-modifying', explainable: true, commandTag: 'INSERT' }],
      ['UPDATE users SET name = $2 WHERE id = $1', { kind: 'data-modifying', explainable: true, commandTag: 'UPDATE' }],
      ['DELETE FROM users WHERE id = 1', { kind: 'data-modifying', explainable: true, commandTag: 'DELETE' }],
      [
        'MERGE INTO users u USING staged s ON u.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name',
        { kind: 'data-modifying', explainable: true, commandTag: 'MERGE' },
      ],
      ['SELECT * INTO archive FROM users', { kind: 'data-modifying', explainable: true, commandTag: 'SELECT INTO' }],
      ['SELECT 1 INTO archive UNION SELECT 2', { kind: 'data-modifying', explainable: true, commandTag: 'SELECT INTO' }],
      ['CREATE TABLE archive AS SELECT * FROM users', { kind: 'data-modifying', explainable: true, commandTag: 'CREATE TABLE AS' }],
      ['CREATE MATERIALIZED VIEW mv AS SELECT 1', { kind: 'data-modifying', explainable: true, commandTag: 'CREATE MATERIALIZED VIEW' }],
      ['REFRESH MATERIALIZED VIEW mv', { kind: 'data-modifying', explainable: false, commandTag: 'REFRESH MATERIALIZED VIEW' }],
      ['DECLARE c CURSOR FOR SELECT 1', { kind: 'query', explainable: true, commandTag: 'DECLARE CURSOR' }],
      ['EXECUTE prepared_lookup(1)', { kind: 'data-modifying', explainable: true, commandTag: 'EXECUTE' }],
      ['VACUUM (ANALYZE) users', { kind: 'utility', explainable: false, commandTag: 'VACUUM' }],
      ['ANALYZE users', { kind: 'utility', explainable: false, commandTag: 'ANALYZE' }],
      ['CREATE INDEX CONCURRENTLY ON users (email)', { kind: 'utility', explainable: false, commandTag: 'CREATE INDEX' }],
      ['ALTER TABLE users ADD COLUMN age int', { kind: 'utility', explainable: false, commandTag: 'ALTER TABLE' }],
      ['ALTER TABLE users RENAME COLUMN age TO years', { kind: 'utility', explainable: false, commandTag: 'ALTER TABLE' }],
      ['COPY users FROM STDIN', { kind: 'utility', explainable: false, commandTag: 'COPY' }],
      ['BEGIN', { kind: 'utility', explainable: false, commandTag: 'BEGIN' }],
      ['COMMIT', { kind: 'utility', explainable: false, commandTag: 'COMMIT' }],
      ['SET work_mem = $$64MB$$', { kind: 'utility', explainable: false, commandTag: 'SET' }],
      ['RESET work_mem', { kind: 'utility', explainable: false, commandTag: 'RESET' }],
      ['DO $$ BEGIN PERFORM 1; END $$', { kind: 'utility', explainable: false, commandTag: 'DO' }],
      ['CALL refresh_stats()', { kind: 'utility', explainable: false, commandTag: 'CALL' }],
      ['EXPLAIN SELECT 1', { kind: 'utility', explainable: false, commandTag: 'EXPLAIN' }],
      ['DROP MATERIALIZED VIEW mv', { kind: 'utility', explainable: false, commandTag: 'DROP MATERIALIZED VIEW' }],
      ['CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$', { kind: 'utility', explainable: false, commandTag: 'CREATE PROCEDURE' }],
      ['CREATE SEQUENCE ids', { kind: 'utility', explainable: false, commandTag: 'CREATE SEQUENCE' }],
      ['CREATE EXTENSION pg_trgm', { kind: 'utility', explainable: false, commandTag: 'CREATE EXTENSION' }],
      ['TRUNCATE users', { kind: 'utility', explainable: false, commandTag: 'TRUNCATE TABLE' }],
    ];
    for (const [sql, expected] of expectations) {
      it(`${sql} -> ${expected.kind}, ${expected.commandTag}`, () => {
        assert.deepEqual(commandOf(sql), expected);
      });
    }

    it('treats a SELECT with a data-modifying WITH as data-modifying', () => {
      const info = classifyStatement('WITH gone AS (DELETE FROM users WHERE inactive RETURNING *) SELECT count(*) FROM gone');
      assert.equal(info.kind, 'data-modifying');
      assert.equal(info.hasDataModifyingCte, true);
      assert.equal(info.explainable, true);
      assert.equal(info.commandTag, 'SELECT');
    });

    it('does not flag a WITH that only reads', () => {
      const info = classifyStatement('WITH recent AS (SELECT * FROM orders) SELECT * FROM recent');
      assert.equal(info.kind, 'query');
      assert.equal(info.hasDataModifyingCte, false);
    });

    it('keeps SELECT ... FOR UPDATE a query but reports that it locks rows', () => {
      const info = classifyStatement('SELECT * FROM jobs WHERE state = $1 FOR UPDATE SKIP LOCKED');
      assert.equal(info.kind, 'query');
      assert.equal(info.locksRows, true);
      assert.equal(classifyStatement('SELECT * FROM (SELECT * FROM jobs FOR SHARE) j').locksRows, true);
      assert.equal(classifyStatement('SELECT * FROM jobs').locksRows, false);
    });

    it('accepts comments around the statement and a trailing ;', () => {
      assert.equal(classifyStatement('-- the slow one\nSELECT 1; /* done */').commandTag, 'SELECT');
    });
  });

  describe('classifyStatement: parameters', () => {
    it('lists distinct $n numbers in order, reused or not', () => {
      const info = classifyStatement('SELECT * FROM t WHERE a = $2 AND b = $1 OR c = $2');
      assert.deepEqual(info.parameters, [1, 2]);
      assert.equal(info.maxParameter, 2);
    });

    it('finds parameters inside subqueries, CTEs and data-modifying statements', () => {
      const sql = `WITH recent AS (SELECT * FROM orders WHERE created_at > $3)
        UPDATE users SET last_order = (SELECT max(id) FROM recent WHERE user_id = users.id AND total > $1)
        WHERE id IN (SELECT user_id FROM recent LIMIT $5)`;
      const info = classifyStatement(sql);
      assert.deepEqual(info.parameters, [1, 3, 5]);
      assert.equal(info.maxParameter, 5);
    });

    it('ignores $n inside strings, quoted identifiers and comments', () => {
      const info = classifyStatement(`SELECT '$1', "$2" FROM t /* $3 */ WHERE x = $4 -- $5`);
      assert.deepEqual(info.parameters, [4]);
    });

    it('reports no parameters as an empty list with a maximum of 0', () => {
      const info = classifyStatement('SELECT 1');
      assert.deepEqual(info.parameters, []);
      assert.equal(info.maxParameter, 0);
    });
  });

  describe('checkSingleStatement and classifyStatement errors', () => {
    it('rejects empty or comment-only input', () => {
      for (const input of ['', '   \n', '-- only a note\n/* and this */']) {
        const result = checkSingleStatement(input);
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.error instanceof SqlInputError);
        assert.equal(!result.ok && result.error.problem, 'empty');
        assert.equal(!result.ok && result.error.message, 'no SQL statement found: the input is empty or only comments');
      }
    });

    it('rejects several statements, naming each with its line', () => {
      const input =
        'SELECT * FROM users;\n\n\nUPDATE users SET name = $1 WHERE id = $2 AND name IS DISTINCT FROM $1;\n\n-- cleanup\n\nDELETE FROM users';
      const result = checkSingleStatement(input);
      assert.ok(!result.ok);
      assert.equal(result.error.problem, 'several-statements');
      assert.equal(result.error.statements.length, 3);
      assert.equal(
        result.error.message,
        'expected one statement, found 3: line 1 "SELECT * FROM users", line 4 "UPDATE users SET name = $1 WHERE id = $…", ' +
          'line 8 "DELETE FROM users"; explain them one at a time',
      );
      assert.throws(
        () => classifyStatement(input),
        (error: unknown) => error instanceof SqlInputError && error.problem === 'several-statements',
      );
    });

    it('counts statements in text that does not parse', () => {
      const result = checkSingleStatement('SELECT 1;\nSELEC 2');
      assert.ok(!result.ok);
      assert.equal(result.error.problem, 'several-statements');
    });

    it('reports a syntax error with its 1-based line and column in a multi-line statement', () => {
      const input = "SELECT id, 'café €' AS label\n  FROM orders\nLIM 10"; // LIM reads as an alias, so 10 is the error
      const result = checkSingleStatement(input);
      assert.ok(!result.ok);
      assert.ok(result.error instanceof SqlSyntaxError);
      assert.equal(result.error.postgresMessage, 'syntax error at or near "10"');
      assert.equal(result.error.line, 3);
      assert.equal(result.error.column, 5);
      assert.equal(result.error.offset, input.indexOf('10'));
      assert.equal(result.error.message, 'syntax error at or near "10" (line 3, column 5)');
    });

    it('places a syntax error after emoji by UTF-16 offset', () => {
      const input = "SELECT '😀😀' AS x\nFROM t WHERE WHERE";
      const result = checkSingleStatement(input);
      assert.ok(!result.ok && result.error instanceof SqlSyntaxError);
      assert.equal(input.slice(result.error.offset), 'WHERE');
      assert.equal(result.error.line, 2);
      assert.equal(result.error.column, 14);
    });

    it('reports an unterminated string as a syntax error at its opening quote', () => {
      const input = "SELECT *\nFROM t WHERE name = 'O''Brien";
      const result = checkSingleStatement(input);
      assert.ok(!result.ok && result.error instanceof SqlSyntaxError);
      assert.match(result.error.postgresMessage, /^unterminated quoted string/);
      assert.equal(result.error.offset, input.indexOf("'O'"));
      assert.equal(result.error.line, 2);
    });

    it('throws the syntax error from classifyStatement', () => {
      assert.throws(() => classifyStatement('SELECT FROM WHERE'), SqlSyntaxError);
    });

    it('returns the single statement without surrounding comments or ;', () => {
      const result = checkSingleStatement('-- slow\n  SELECT 1\n;  ');
      assert.ok(result.ok);
      assert.equal(result.statement.text, 'SELECT 1');
      assert.equal(result.statement.startLine, 1);
    });
  });
});
