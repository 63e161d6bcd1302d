import { strict as assert } from 'node:assert';
import { columnsOf, conditionColumns } from '../../src/core/advice/rules/condition-columns';
import { formatCount, formatPercent, formatRows, memorySetting } from '../../src/core/text-format';

describe('rule texts', () => {
  it('counts with thousands separators', () => {
    assert.equal(formatCount(200000), '200,000');
    assert.equal(formatCount(1240), '1,240');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1999998.4), '1,999,998');
  });

  it('keeps fractional per-loop rows (PostgreSQL 18) visible', () => {
    assert.equal(formatRows(0.01), '0.01');
    assert.equal(formatRows(1000), '1,000');
  });

  it('percentages with one decimal, never rounding a remainder away', () => {
    assert.equal(formatPercent(0.0062), '0.6%');
    assert.equal(formatPercent(0.95), '95%');
    assert.equal(formatPercent(0.0000219), '<0.1%');
    assert.equal(formatPercent(0.99996), '>99.9%');
    assert.equal(formatPercent(1), '100%');
  });

  it('memory settings rounded up to whole MB, or 64 kB steps below 1 MB', () => {
    assert.equal(memorySetting(18512), '19MB');
    assert.equal(memorySetting(1024), '1MB');
    assert.equal(memorySetting(114), '128kB');
    assert.equal(memorySetting(3), '64kB');
  });
});

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
