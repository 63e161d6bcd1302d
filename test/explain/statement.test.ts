import { strict as assert } from 'node:assert';
import { ensureSqlParser, SqlSyntaxError } from '../../src/core/sql';
import { prepareStatement, type PreparedStatement } from '../../src/explain';

function prepared(text: string, applicationPlaceholders = true): PreparedStatement {
  const outcome = prepareStatement(text, { applicationPlaceholders });
  if (!outcome.ok) throw outcome.error;
  return outcome.statement;
}

describe('a statement read once for explaining', () => {
  before(ensureSqlParser);

  const APPLICATION_FORMS: Array<[string, string, string[]]> = [
    [':name', 'SELECT * FROM orders WHERE customer_id = :customer AND status = :status', [':customer', ':status']],
    ['%(name)s', 'SELECT * FROM orders WHERE customer_id = %(customer)s AND status = %(status)s', ['%(customer)s', '%(status)s']],
    ['%s', 'SELECT * FROM orders WHERE customer_id = %s AND status = %s', ['%s #1', '%s #2']],
    ['?', 'SELECT * FROM orders WHERE customer_id = ? AND status = ?', ['? #1', '? #2']],
  ];
  for (const [form, text, slots] of APPLICATION_FORMS) {
    it(`rewrites ${form} to $n before the parser sees it, and counts what needs values`, () => {
      const statement = prepared(text);
      assert.equal(statement.sql, 'SELECT * FROM orders WHERE customer_id = $1 AND status = $2');
      assert.deepEqual(statement.slots, slots);
      assert.deepEqual(statement.info.parameters, [1, 2]);
      assert.equal(statement.info.kind, 'query');
      assert.equal(statement.written, text);
    });
  }

  it('leaves :name and ? alone in SQL files, where they are a psql variable and a jsonb operator', () => {
    const outcome = prepareStatement("SELECT * FROM t WHERE doc ? 'key' AND id = $1", { applicationPlaceholders: false });
    assert.ok(outcome.ok);
    assert.equal(outcome.statement.sql, "SELECT * FROM t WHERE doc ? 'key' AND id = $1");
    assert.deepEqual(outcome.statement.slots, ['$1']);
    const colon = prepareStatement('SELECT * FROM t WHERE id = :id', { applicationPlaceholders: false });
    assert.ok(!colon.ok && colon.error instanceof SqlSyntaxError);
  });

  it('places a syntax error after a rewritten placeholder where it is written', () => {
    const text = '-- orders of one customer\nSELECT * FROM orders WHERE customer_id = %(customer)s\n  ORDER BY created_at DESK';
    const outcome = prepareStatement(text, { applicationPlaceholders: true });
    assert.ok(!outcome.ok);
    assert.ok(outcome.error instanceof SqlSyntaxError);
    assert.equal(outcome.error.offset, text.indexOf('DESK'));
    assert.equal(outcome.error.line, 3);
    assert.equal(outcome.error.column, '  ORDER BY created_at '.length + 1);
  });

  it('maps an index in the text sent back into the input, past comments and placeholders', () => {
    const text = '/* report */  SELECT total FROM orders WHERE id = :id AND colour = ?;';
    const statement = prepared(text);
    assert.equal(statement.start, text.indexOf('SELECT'));
    assert.equal(statement.written, 'SELECT total FROM orders WHERE id = :id AND colour = ?');
    assert.equal(statement.inputIndex(statement.sql.indexOf('colour')), text.indexOf('colour'));
  });

  it('classifies data-changing statements and ones EXPLAIN cannot run', () => {
    assert.equal(prepared('UPDATE orders SET status = :s WHERE id = :id').info.kind, 'data-modifying');
    assert.equal(prepared('VACUUM orders').info.explainable, false);
  });

  it('says why a text is not one statement', () => {
    const outcome = prepareStatement('SELECT 1; SELECT 2');
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.problem, 'several-statements');
  });
});
