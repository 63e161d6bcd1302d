import { strict as assert } from 'node:assert';
import { formatCreateIndex, indexName, MAX_IDENTIFIER_BYTES, quoteIdentifier } from '../../../src/core/advice/index-ddl';

describe('index DDL', () => {
  describe('quoteIdentifier', () => {
    it('leaves lowercase names bare', () => {
      assert.equal(quoteIdentifier('created_at'), 'created_at');
      assert.equal(quoteIdentifier('_x1'), '_x1');
    });

    it('quotes names with capitals, spaces, other characters or a leading digit', () => {
      assert.equal(quoteIdentifier('CreatedAt'), '"CreatedAt"');
      assert.equal(quoteIdentifier('created at'), '"created at"');
      assert.equal(quoteIdentifier('1st'), '"1st"');
      assert.equal(quoteIdentifier('price$'), '"price$"');
      assert.equal(quoteIdentifier('größe'), '"größe"');
    });

    it('doubles inner double quotes', () => {
      assert.equal(quoteIdentifier('say "hi"'), '"say ""hi"""');
    });

    it('quotes reserved, column-name and type/function-name keywords, not unreserved ones', () => {
      for (const keyword of ['order', 'user', 'select', 'table', 'between', 'timestamp', 'left', 'authorization', 'system_user']) {
        assert.equal(quoteIdentifier(keyword), `"${keyword}"`, keyword);
      }
      for (const unreserved of ['name', 'type', 'status', 'data', 'position_x', 'comment', 'index']) {
        assert.equal(quoteIdentifier(unreserved), unreserved, unreserved);
      }
    });
  });

  describe('formatCreateIndex', () => {
    it('writes the full form: CONCURRENTLY, schema, DESC, INCLUDE and WHERE', () => {
      assert.equal(
        formatCreateIndex({
          name: 'idx_products_created_at_where_is_active',
          schema: 'public',
          table: 'products',
          columns: [{ name: 'created_at', descending: true }],
          include: ['name'],
          where: 'is_active',
          concurrently: true,
        }),
        'CREATE INDEX CONCURRENTLY idx_products_created_at_where_is_active ON public.products (created_at DESC) INCLUDE (name) WHERE is_active;',
      );
    });

    it('writes a plain compound index without the optional parts', () => {
      assert.equal(
        formatCreateIndex({
          name: 'idx_orders_customer_id_ordered_at',
          table: 'orders',
          columns: [
            { name: 'customer_id', descending: false },
            { name: 'ordered_at', descending: false },
          ],
          include: [],
          concurrently: false,
        }),
        'CREATE INDEX idx_orders_customer_id_ordered_at ON orders (customer_id, ordered_at);',
      );
    });

    it('quotes schema, table, key and INCLUDE columns only where needed', () => {
      assert.equal(
        formatCreateIndex({
          name: 'idx_order_lines_order',
          schema: 'Shop',
          table: 'order lines',
          columns: [{ name: 'order', descending: false }],
          include: ['Total', 'qty'],
          concurrently: true,
        }),
        'CREATE INDEX CONCURRENTLY idx_order_lines_order ON "Shop"."order lines" ("order") INCLUDE ("Total", qty);',
      );
    });

    it("writes NULLS FIRST / LAST only where it differs from the direction's default", () => {
      const ddl = (columns: Array<{ name: string; descending: boolean; nullsFirst?: boolean }>) =>
        formatCreateIndex({ name: 'i', table: 't', columns, include: [], concurrently: false });
      assert.equal(ddl([{ name: 'a', descending: true, nullsFirst: false }]), 'CREATE INDEX i ON t (a DESC NULLS LAST);');
      assert.equal(ddl([{ name: 'a', descending: true, nullsFirst: true }]), 'CREATE INDEX i ON t (a DESC);');
      assert.equal(ddl([{ name: 'a', descending: false, nullsFirst: true }]), 'CREATE INDEX i ON t (a NULLS FIRST);');
      assert.equal(ddl([{ name: 'a', descending: false, nullsFirst: false }]), 'CREATE INDEX i ON t (a);');
    });

    it('ignores an empty WHERE and refuses an index without key columns', () => {
      assert.equal(
        formatCreateIndex({
          name: 'i',
          table: 't',
          columns: [{ name: 'a', descending: false }],
          include: [],
          where: '  ',
          concurrently: false,
        }),
        'CREATE INDEX i ON t (a);',
      );
      assert.throws(() => formatCreateIndex({ name: 'i', table: 't', columns: [], include: [], concurrently: false }), /key column/);
    });
  });

  describe('formatCreateIndex: expressions, operator classes and access methods', () => {
    const spec = { name: 'idx_t', schema: 'public', table: 't', include: [], concurrently: false };

    it('writes a function call key bare and any other expression in parentheses, as pg_get_indexdef does', () => {
      assert.equal(
        formatCreateIndex({ ...spec, columns: [{ name: 'email', descending: false, expression: 'lower(email)' }] }),
        'CREATE INDEX idx_t ON public.t (lower(email));',
      );
      assert.equal(
        formatCreateIndex({ ...spec, columns: [{ name: 'ts', descending: true, expression: "date_trunc('day', ts)" }] }),
        "CREATE INDEX idx_t ON public.t (date_trunc('day', ts) DESC);",
      );
      assert.equal(
        formatCreateIndex({ ...spec, columns: [{ name: 'ts', descending: false, expression: 'ts::date' }] }),
        'CREATE INDEX idx_t ON public.t ((ts::date));',
      );
      assert.equal(
        formatCreateIndex({ ...spec, columns: [{ name: 'a', descending: false, expression: 'lower(a) || upper(b)' }] }),
        'CREATE INDEX idx_t ON public.t ((lower(a) || upper(b)));',
      );
      assert.equal(
        formatCreateIndex({ ...spec, columns: [{ name: 'a', descending: false, expression: "coalesce(a, ')')" }] }),
        "CREATE INDEX idx_t ON public.t (coalesce(a, ')'));",
      );
    });

    it('writes an operator class after the key, USING before the keys, with INCLUDE and WHERE in place', () => {
      assert.equal(
        formatCreateIndex({
          ...spec,
          columns: [{ name: 'code', descending: false, opclass: 'text_pattern_ops' }],
          include: ['label'],
          where: 'active',
        }),
        'CREATE INDEX idx_t ON public.t (code text_pattern_ops) INCLUDE (label) WHERE active;',
      );
      assert.equal(
        formatCreateIndex({
          ...spec,
          method: 'gin',
          concurrently: true,
          columns: [{ name: 'attrs', descending: false, opclass: 'jsonb_path_ops' }],
        }),
        'CREATE INDEX CONCURRENTLY idx_t ON public.t USING gin (attrs jsonb_path_ops);',
      );
    });
  });

  describe('indexName', () => {
    it('follows idx_<table>_<columns>', () => {
      assert.equal(indexName('orders', ['customer_id', 'ordered_at']), 'idx_orders_customer_id_ordered_at');
    });

    it('marks partial indexes with the predicate hint or _partial', () => {
      assert.equal(indexName('products', ['created_at'], { partial: 'is_active' }), 'idx_products_created_at_where_is_active');
      assert.equal(indexName('products', ['created_at'], { partial: true }), 'idx_products_created_at_partial');
    });

    it('lowercases and replaces characters that would need quoting', () => {
      assert.equal(indexName('Order Lines', ['Total€', 'qty']), 'idx_order_lines_total_qty');
    });

    it('cuts names over 63 bytes and ends them with a hash of the full name', () => {
      const columns = ['a_really_long_column_name_number_one', 'a_really_long_column_name_number_two'];
      const first = indexName('some_table_with_a_long_name', columns);
      const second = indexName('some_table_with_a_long_name', [...columns.slice(0, 1), 'a_really_long_column_name_number_three']);
      assert.equal(first.length, MAX_IDENTIFIER_BYTES);
      const full = `idx_some_table_with_a_long_name_${columns.join('_')}`;
      assert.equal(first, `${full.slice(0, MAX_IDENTIFIER_BYTES - 9)}_${first.slice(-8)}`);
      assert.match(first.slice(-8), /^[0-9a-f]{8}$/);
      assert.equal(second.length <= MAX_IDENTIFIER_BYTES, true);
      assert.notEqual(first, second, 'names sharing their first 54 bytes still differ');
      assert.equal(indexName('some_table_with_a_long_name', columns), first, 'the same input gives the same name');
    });

    it('keeps names of 63 bytes or fewer whole', () => {
      const name = indexName('t', ['x'.repeat(MAX_IDENTIFIER_BYTES - 'idx_t_'.length)]);
      assert.equal(name.length, MAX_IDENTIFIER_BYTES);
      assert.ok(name.endsWith('x'));
    });
  });
});
