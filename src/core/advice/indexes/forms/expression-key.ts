/**
 * Expression keys: a Filter on `lower(email)`, `date_trunc('day', created_at)` or
 * `created_at::date` cannot use an index on the column itself, only one on the same expression.
 * Proposed only where the expression is immutable for the column's type (date_trunc and a cast to
 * date of a timestamptz depend on the session's time zone, so PostgreSQL refuses to index them).
 */
import { findColumn, type CatalogColumn } from '../../catalog-snapshot';
import type { ColumnExpression } from '../../sql-predicates';
import { scanCandidate, selectiveSeqScans, type DesignedKey, type IndexForm } from '../form';

const TEXT_TYPES = /^(text|character varying|character)\b/;
const TIMESTAMP = /^timestamp(\(\d\))? without time zone$/;
const NUMERIC_TARGETS: ReadonlySet<string> = new Set(['int2', 'int4', 'int8', 'integer', 'bigint', 'smallint', 'numeric']);

/** Whether PostgreSQL can index the expression on a column of this type (the function is IMMUTABLE there). */
const INDEXABLE: ReadonlyMap<string, (column: CatalogColumn, expression: ColumnExpression) => boolean> = new Map([
  ['lower', (column) => TEXT_TYPES.test(column.type)],
  ['upper', (column) => TEXT_TYPES.test(column.type)],
  ['date_trunc', (column) => TIMESTAMP.test(column.type)],
  [
    'cast',
    (column, expression) =>
      (expression.target === 'date' && TIMESTAMP.test(column.type)) ||
      (NUMERIC_TARGETS.has(expression.target ?? '') && TEXT_TYPES.test(column.type)),
  ],
]);

const KEY_OPERATORS: ReadonlyMap<string, 'equality' | 'range'> = new Map([
  ['=', 'equality'],
  ['<', 'range'],
  ['<=', 'range'],
  ['>', 'range'],
  ['>=', 'range'],
]);

export const expressionKey: IndexForm = {
  id: 'expression-key',
  propose(context) {
    return selectiveSeqScans(context).flatMap((selective) => {
      const keys = new Map<string, DesignedKey>();
      for (const conjunct of selective.conjuncts) {
        const role = KEY_OPERATORS.get(conjunct.operator);
        const column = findColumn(selective.scan.table, conjunct.column.column);
        const { expression } = conjunct;
        if (!role || !column || !expression || !INDEXABLE.get(expression.kind)?.(column, expression)) continue;
        const existing = keys.get(expression.sql);
        if (existing?.role === 'equality') continue;
        keys.set(expression.sql, { column: column.name, expression: expression.sql, descending: false, role });
      }
      if (keys.size === 0) return [];
      // Equalities first, then one range: the order a B-tree serves both in.
      const ordered = [...keys.values()].sort((a, b) => Number(a.role === 'range') - Number(b.role === 'range'));
      const designed = ordered.filter((key, at) => key.role === 'equality' || at === ordered.findIndex((other) => other.role === 'range'));
      const names = designed.map((key) => key.expression).join(', ');
      return [
        scanCandidate(selective, {
          keys: designed,
          kinds: ['expression'],
          remedy: `An index on the expression ${names} finds those rows directly; an index on the column itself cannot serve a condition on ${names}.`,
        }),
      ];
    });
  },
};
