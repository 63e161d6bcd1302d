/**
 * Share of a table's rows a predicate keeps, from the planner's statistics (pg_stats), the way
 * PostgreSQL estimates it: the frequency of a most common value, else the rest spread evenly over
 * the remaining distinct values. Range predicates are not estimated here: the advisor takes their
 * share from the plan's observed rows instead.
 */
import { distinctValues, findColumn, type CatalogColumn, type CatalogTable } from './catalog-snapshot';
import type { Predicate, SqlConstant } from './sql-predicates';

/** PostgreSQL's guess for an equality on a column without statistics (DEFAULT_EQ_SEL). */
export const DEFAULT_EQUALITY_SELECTIVITY = 0.005;
/** PostgreSQL's guess for a boolean column without statistics. */
const DEFAULT_BOOLEAN_SELECTIVITY = 0.5;
/** PostgreSQL's guess for IS NULL without statistics (DEFAULT_UNK_SEL). */
const DEFAULT_NULL_SELECTIVITY = 0.005;

/**
 * A column with at most this many distinct values is low-cardinality: an equality on it keeps a
 * large slice of the table, so it belongs in a partial index's WHERE rather than its key.
 */
export const LOW_CARDINALITY_MAX_DISTINCT = 10;

/** Share of rows the predicate keeps (0..1); undefined for range predicates. */
export function predicateSelectivity(table: CatalogTable, predicate: Predicate): number | undefined {
  const column = findColumn(table, predicate.column.column);
  switch (predicate.kind) {
    case 'equality':
      return equalitySelectivity(table, column, predicate.value);
    case 'in': {
      if (!predicate.values) return undefined;
      const total = predicate.values.reduce((sum, value) => sum + equalitySelectivity(table, column, value), 0);
      return Math.min(total, 1);
    }
    case 'join':
      return equalitySelectivity(table, column, undefined);
    case 'is-null':
      return column?.stats ? column.stats.nullFraction : DEFAULT_NULL_SELECTIVITY;
    case 'is-not-null':
      return column?.stats ? 1 - column.stats.nullFraction : 1 - DEFAULT_NULL_SELECTIVITY;
    case 'range':
      return undefined;
  }
}

/** Share of rows equal to `value` (or to some one value, when it is no literal). */
export function equalitySelectivity(table: CatalogTable, column: CatalogColumn | undefined, value: SqlConstant | undefined): number {
  const stats = column?.stats;
  if (!column || !stats) return value?.type === 'boolean' ? DEFAULT_BOOLEAN_SELECTIVITY : DEFAULT_EQUALITY_SELECTIVITY;
  const distinct = distinctValues(table, column) ?? 1;
  const common = stats.mostCommonValues.length;
  if (value !== undefined) {
    const at = stats.mostCommonValues.findIndex((candidate) => sameValue(candidate, value));
    if (at >= 0) return stats.mostCommonFrequencies[at] ?? 0;
    const rest = Math.max(1 - stats.nullFraction - sum(stats.mostCommonFrequencies), 0);
    return rest / Math.max(distinct - common, 1);
  }
  return (1 - stats.nullFraction) / distinct;
}

/** Whether the value is one of the column's most common values (a value that recurs across the table). */
export function isCommonValue(column: CatalogColumn | undefined, value: SqlConstant | undefined): boolean {
  if (!column?.stats || value === undefined) return false;
  return column.stats.mostCommonValues.some((candidate) => sameValue(candidate, value));
}

export function isLowCardinality(table: CatalogTable, column: CatalogColumn | undefined): boolean {
  if (!column) return false;
  if (column.type === 'boolean') return true;
  const distinct = distinctValues(table, column);
  return distinct !== undefined && distinct <= LOW_CARDINALITY_MAX_DISTINCT;
}

/** pg_stats prints values in their output form: booleans as t/f, numbers with their scale. */
function sameValue(statsText: string, value: SqlConstant): boolean {
  switch (value.type) {
    case 'boolean':
      return (statsText === 't') === (value.text === 'true') && (statsText === 't' || statsText === 'f');
    case 'number':
      return statsText.trim() !== '' && Number(statsText) === Number(value.text);
    case 'string':
      return statsText === value.text;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
