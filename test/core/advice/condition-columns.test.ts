import { strict as assert } from 'node:assert';
import { columnsOf, conditionColumns } from '../../../src/core/advice/rules/condition-columns';

describe('columns of a condition', () => {
  it('finds the compared columns of a deparsed condition', () => {
    assert.deepEqual(
      conditionColumns("((a = 1) AND (b = 1) AND (c = 1))").map((r) => r.column),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(conditionColumns("((sku >= 1000) AND (sku <= 1499))"), [{ column: 'sku' }]);
  });

  it('keeps qualifiers and skips literals, casts, function names and subplan references', () => {
    assert.deepEqual(conditionColumns("(p.is_active AND (p.price > '10000'::numeric))"), [
      { qualifier: 'p', column: 'is_active' },
      { qualifier: 'p', column: 'price' },
    ]);
    assert.deepEqual(conditionColumns("((lower(name) = 'a b'::text) AND (created_at > '2024-01-01 00:00:00+00'::timestamp with time zone))"), [
      { column: 'name' },
      { column: 'created_at' },
    ]);
    assert.deepEqual(conditionColumns('(amount > (InitPlan 1).col1)'), [{ column: 'amount' }]);
    assert.deepEqual(conditionColumns('(amount > $0)'), [{ column: 'amount' }]);
    assert.deepEqual(conditionColumns("(status = ANY ('{1,2}'::integer[]))"), [{ column: 'status' }]);
    assert.deepEqual(conditionColumns('("Mixed Case" = 1)'), [{ column: '"Mixed Case"' }]);
  });

  it('picks the columns of one table out of a join condition', () => {
    assert.deepEqual(columnsOf('(t.item_id = i.sku)', 't', 'tags'), ['item_id']);
    assert.deepEqual(columnsOf('(t.item_id = i.sku)', 'i', 'items'), ['sku']);
    assert.deepEqual(columnsOf(undefined, 't', 'tags'), []);
  });
});
