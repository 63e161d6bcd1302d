/**
 * Reading the conditions and sort keys EXPLAIN prints, and the statement's tables and columns,
 * with PostgreSQL's parser: the input of the index advisor.
 */
import { strict as assert } from 'node:assert';
import { predicateKey, predicateSql, readCondition, readSortKey } from '../../../src/core/advice/sql-predicates';
import { columnsUsed, readStatementShape } from '../../../src/core/advice/statement-shape';
import { ensureSqlParser } from '../../../src/core/sql';

describe('index advisor input', () => {
  before(async () => {
    await ensureSqlParser();
  });

  describe('readCondition', () => {
    it('splits the top-level AND into column predicates, as PostgreSQL 15 prints them', () => {
      const reading = readCondition(
        "((customer_id = 42) AND ((status)::text = 'shipped'::text) AND (amount > '100'::numeric) AND is_active AND (NOT is_deleted) " +
          "AND (deleted_at IS NULL) AND (region = ANY ('{3,7,11}'::integer[])) AND (10 >= level))",
      );
      assert.deepEqual(reading, {
        unreadConjuncts: 0,
        predicates: [
          { kind: 'equality', column: { column: 'customer_id' }, value: { text: '42', type: 'number' } },
          { kind: 'equality', column: { column: 'status' }, value: { text: 'shipped', type: 'string' } },
          { kind: 'range', column: { column: 'amount' }, operator: '>' },
          { kind: 'equality', column: { column: 'is_active' }, value: { text: 'true', type: 'boolean' } },
          { kind: 'equality', column: { column: 'is_deleted' }, value: { text: 'false', type: 'boolean' } },
          { kind: 'is-null', column: { column: 'deleted_at' } },
          {
            kind: 'in',
            column: { column: 'region' },
            values: [
              { text: '3', type: 'number' },
              { text: '7', type: 'number' },
              { text: '11', type: 'number' },
            ],
          },
          { kind: 'range', column: { column: 'level' }, operator: '<=' },
        ],
      });
    });

    it('reads join keys, parameters and non-literal constants', () => {
      assert.deepEqual(readCondition('(o.customer_id = c.id)')?.predicates, [
        { kind: 'join', column: { qualifier: 'o', column: 'customer_id' }, other: { qualifier: 'c', column: 'id' } },
      ]);
      assert.deepEqual(readCondition('(amount > $0)')?.predicates, [{ kind: 'range', column: { column: 'amount' }, operator: '>' }]);
      assert.deepEqual(readCondition("(token = md5('4242'::text))")?.predicates, [{ kind: 'equality', column: { column: 'token' } }]);
    });

    it('counts what no B-tree can serve as unread, and refuses what is no SQL', () => {
      const reading = readCondition(
        "((name ~~ '%42%'::text) AND ((a = 1) OR (b = 2)) AND (lower(email) = 'x'::text) AND ((created_at)::date = '2024-01-01'::date) AND (a = b))",
      );
      assert.deepEqual(reading, { predicates: [], unreadConjuncts: 5 });
      assert.equal(readCondition('(NOT (hashed SubPlan 1))'), undefined);
    });

    it('reads the statement form too: IN lists and BETWEEN', () => {
      assert.deepEqual(readCondition("kind IN ('a', 'b') AND price BETWEEN 1 AND 2")?.predicates, [
        {
          kind: 'in',
          column: { column: 'kind' },
          values: [
            { text: 'a', type: 'string' },
            { text: 'b', type: 'string' },
          ],
        },
        { kind: 'range', column: { column: 'price' }, operator: '>=' },
        { kind: 'range', column: { column: 'price' }, operator: '<=' },
      ]);
    });
  });

  describe('readSortKey', () => {
    it('reads a column, its direction and an explicit NULLS order', () => {
      assert.deepEqual(readSortKey('p.created_at DESC'), { column: { qualifier: 'p', column: 'created_at' }, descending: true });
      assert.deepEqual(readSortKey('id'), { column: { column: 'id' }, descending: false });
      assert.deepEqual(readSortKey('score DESC NULLS LAST'), { column: { column: 'score' }, descending: true, nullsFirst: false });
    });

    it('returns nothing for an expression', () => {
      assert.equal(readSortKey('(sum(o.total)) DESC'), undefined);
      assert.equal(readSortKey('((a.customer_id + 1))'), undefined);
    });
  });

  describe('predicateSql and predicateKey', () => {
    it('writes partial index predicates, booleans bare as PostgreSQL stores them', () => {
      const [active, notDeleted, status, missing] = readCondition(
        "(is_active AND (deleted = false) AND (status = 'it''s'::text) AND (gone_at IS NULL))",
      )!.predicates;
      assert.equal(predicateSql(active!), 'is_active');
      assert.equal(predicateSql(notDeleted!), 'NOT deleted');
      assert.equal(predicateSql(status!), "status = 'it''s'");
      assert.equal(predicateSql(missing!), 'gone_at IS NULL');
    });

    it('gives the same key to the same predicate however it is spelled', () => {
      const key = (condition: string) => readCondition(condition)!.predicates.map(predicateKey);
      assert.deepEqual(key('is_active'), key('(is_active = true)'));
      assert.deepEqual(key("(amount = '10.50'::numeric)"), key('(amount = 10.5)'));
      assert.notDeepEqual(key('is_active'), key('(NOT is_active)'));
    });
  });

  describe('statement shape', () => {
    it('lists the tables with their schema and the name they are referred to by', () => {
      const shape = readStatementShape('SELECT o.id FROM shop.orders o JOIN customers ON customers.id = o.customer_id')!;
      assert.deepEqual(shape.relations, [
        { schema: 'shop', table: 'orders', refName: 'o' },
        { table: 'customers', refName: 'customers' },
      ]);
    });

    it('counts the columns a SELECT uses of one table, qualified or not', () => {
      const shape = readStatementShape(
        "SELECT o.id, amount FROM shop.orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' AND c.country = 'NL'",
      )!;
      const used = columnsUsed(shape, { schema: 'shop', name: 'orders' }, ['id', 'customer_id', 'status', 'amount', 'note']);
      assert.deepEqual(Object.fromEntries(used!), { id: 1, amount: 1, customer_id: 1, status: 1 });
    });

    it('knows no column list for whole rows or writes', () => {
      const columns = ['id', 'amount'];
      for (const sql of [
        'SELECT * FROM orders',
        'SELECT o.* FROM orders o',
        'SELECT o FROM orders o',
        'UPDATE orders SET amount = 1 WHERE id = 2',
      ]) {
        assert.equal(columnsUsed(readStatementShape(sql)!, { schema: 'public', name: 'orders' }, columns), undefined, sql);
      }
      const counted = columnsUsed(
        readStatementShape('SELECT count(*) FROM orders WHERE amount > 1')!,
        { schema: 'public', name: 'orders' },
        columns,
      );
      assert.deepEqual(Object.fromEntries(counted!), { amount: 1 });
    });
  });
});
