import * as assert from 'node:assert/strict';
import { ensureSqlParser, findPlaceholders, toDollarParameters, type SqlPlaceholder } from '../../../src/core/sql';

/** Each placeholder as `style text`, after checking that its range covers exactly its text. */
function found(sql: string): string[] {
  return findPlaceholders(sql).map((placeholder: SqlPlaceholder) => {
    assert.equal(sql.slice(placeholder.start, placeholder.end), placeholder.text);
    return `${placeholder.style} ${placeholder.text}`;
  });
}

describe('placeholders', () => {
  before(() => ensureSqlParser());

  it('finds $n with its number', () => {
    const placeholders = findPlaceholders("SELECT * FROM t WHERE a = $1 AND b = $12 AND c = '€' || $1");
    assert.deepEqual(
      placeholders.map(({ style, number }) => ({ style, number })),
      [
        { style: 'dollar', number: 1 },
        { style: 'dollar', number: 12 },
        { style: 'dollar', number: 1 },
      ],
    );
  });

  it('finds :name but not ::type casts, array slices, or text in strings and comments', () => {
    const sql = "SELECT a::int, arr[1:n], ':skip' FROM t -- :nope\nWHERE id = :id AND kind = :type AND n<:limit";
    assert.deepEqual(found(sql), ['colon :id', 'colon :type', 'colon :limit']);
    assert.deepEqual(
      findPlaceholders(sql).map((placeholder) => placeholder.name),
      ['id', 'type', 'limit'],
    );
  });

  it('finds %s and %(name)s, also glued to an operator, but not %% or modulo', () => {
    const sql = "SELECT %s, x %% 2, y % z, '%s' FROM t WHERE a=%s AND b = %(user_id)s AND c>=%(limit)s AND d LIKE '50%%'";
    assert.deepEqual(found(sql), ['percent %s', 'percent %s', 'percent-named %(user_id)s', 'percent-named %(limit)s']);
    const named = findPlaceholders(sql).filter((placeholder) => placeholder.style === 'percent-named');
    assert.deepEqual(
      named.map((placeholder) => placeholder.name),
      ['user_id', 'limit'],
    );
  });

  it('finds ? as a value but not the jsonb ? operator, the escaped ??, or ? in strings and comments', () => {
    const sql =
      "SELECT ? FROM t WHERE a=? AND b IN (?, ?) AND data ? 'key' AND tags ?| array['x'] AND c ?? 'k' " +
      "AND note = '?' /* ? */ AND d BETWEEN ? AND ? LIMIT ?";
    assert.deepEqual(found(sql), Array(7).fill('question ?'));
  });

  it('keeps ranges exact after multi-byte characters', () => {
    const sql = "SELECT 'é€😀' AS label WHERE x = :name AND y = %s AND z = ?";
    assert.deepEqual(found(sql), ['colon :name', 'percent %s', 'question ?']);
  });

  it('finds nothing in plain SQL', () => {
    assert.deepEqual(findPlaceholders("SELECT count(*) FROM orders WHERE status = 'paid' AND total::numeric > 10"), []);
  });

  describe('toDollarParameters: application placeholders become real $n parameters', () => {
    const rewrite = (sql: string) => {
      const { text, slots } = toDollarParameters(sql, findPlaceholders(sql));
      return { text, slots };
    };

    it('gives a named placeholder one parameter however often it appears', () => {
      assert.deepEqual(rewrite('SELECT * FROM t WHERE a = :id OR b = :name OR c = :id'), {
        text: 'SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1',
        slots: [':id', ':name'],
      });
      assert.deepEqual(rewrite('SELECT * FROM t WHERE a = %(id)s AND b = %(id)s').text, 'SELECT * FROM t WHERE a = $1 AND b = $1');
    });

    it('numbers positional placeholders in order, one each', () => {
      assert.deepEqual(rewrite('SELECT * FROM t WHERE a = ? AND b = ?'), {
        text: 'SELECT * FROM t WHERE a = $1 AND b = $2',
        slots: ['? #1', '? #2'],
      });
      assert.equal(rewrite('UPDATE t SET a = %s WHERE id = %s').text, 'UPDATE t SET a = $1 WHERE id = $2');
    });

    it('keeps $n as they are and numbers the others after the highest', () => {
      assert.deepEqual(rewrite('SELECT * FROM t WHERE a = $2 AND b = :name'), {
        text: 'SELECT * FROM t WHERE a = $2 AND b = $3',
        slots: ['$1', '$2', ':name'],
      });
    });

    it('maps an index in the rewritten text back to the text as written', () => {
      const written = 'SELECT * FROM t WHERE a = %(name)s AND bb = ? AND c = :id';
      const rewritten = toDollarParameters(written, findPlaceholders(written));
      for (const word of ['SELECT', 'bb', 'c =']) assert.equal(rewritten.writtenIndex(rewritten.text.indexOf(word)), written.indexOf(word));
      assert.equal(rewritten.writtenIndex(rewritten.text.indexOf('$2') + 1), written.indexOf('?'), 'inside a placeholder: its start');
      assert.equal(rewritten.writtenIndex(rewritten.text.length), written.length);
    });

    it('leaves casts, strings and comments alone', () => {
      assert.equal(
        rewrite("SELECT a::int, ':not' /* :nor */ FROM t WHERE b = :yes -- ?\n").text,
        "SELECT a::int, ':not' /* :nor */ FROM t WHERE b = $1 -- ?\n",
      );
    });
  });
});
