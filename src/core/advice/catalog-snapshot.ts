/**
 * What the index advisor knows about the tables a plan reads: their existing indexes, size and
 * the planner's column statistics (pg_stats). Read from the server by src/db/catalog-reader.ts,
 * built by hand in tests; plain data, JSON-serialisable.
 */

export interface CatalogSnapshot {
  tables: CatalogTable[];
  /** Extensions installed in the database (pg_trgm makes trigram indexes possible); undefined when not read. */
  extensions?: string[];
}

export interface CatalogTable {
  schema: string;
  name: string;
  /** pg_class.reltuples: the planner's row count; -1 (PostgreSQL 14+) or 0 when never analysed. */
  rowEstimate: number;
  /** pg_class.relpages and relallvisible: with them the planner prices index-only scans. */
  pages: number;
  allVisiblePages: number;
  /** For a partition: the partitioned table at the top of its tree, which the snapshot holds too. */
  partitionRoot?: { schema: string; name: string };
  /** In table order. */
  columns: CatalogColumn[];
  indexes: CatalogIndex[];
}

export interface CatalogColumn {
  name: string;
  /** format_type() of the column, e.g. "timestamp with time zone". */
  type: string;
  notNull: boolean;
  /**
   * The collation's LC_COLLATE (the database's for the default collation), e.g. "C", "en_US.UTF-8",
   * or the name of an ICU collation ("und-x-icu"); undefined for types without collation. Only "C"
   * and "POSIX" let a plain B-tree serve LIKE 'x%'.
   */
  collation?: string;
  /** Undefined when pg_stats has no row for the column (never analysed, or not readable). */
  stats?: ColumnStatistics;
}

export interface ColumnStatistics {
  /** Share of rows that are NULL, 0..1. */
  nullFraction: number;
  /**
   * pg_stats.n_distinct as PostgreSQL stores it: > 0 a number of distinct values; < 0 minus the
   * share of rows that are distinct (-1: every row differs), for columns that grow with the table.
   */
  nDistinct: number;
  /** Most common values as text, with their frequencies (same length, descending frequency). */
  mostCommonValues: string[];
  mostCommonFrequencies: number[];
  /** Physical order against value order, -1..1; undefined when not computed. */
  correlation?: number;
}

export interface CatalogIndex {
  name: string;
  /** Access method: "btree", "hash", "gin", "gist", "brin", ... */
  method: string;
  unique: boolean;
  primary: boolean;
  /** False while a CREATE INDEX CONCURRENTLY is unfinished or after it failed: the planner ignores it. */
  valid: boolean;
  keys: CatalogIndexKey[];
  /** INCLUDE columns. */
  include: string[];
  /** The partial index predicate as pg_get_expr() prints it, e.g. "(status = 'pending'::text)". */
  predicate?: string;
}

export interface CatalogIndexKey {
  /** The column, or undefined for an expression key. */
  column?: string;
  /** The expression of an expression key, as pg_get_indexdef() prints it. */
  expression?: string;
  descending: boolean;
  nullsFirst: boolean;
  /** The operator class when it is not the type's default (`text_pattern_ops`, `jsonb_path_ops`). */
  opclass?: string;
}

/** The table, by schema when known, else by name alone when exactly one table has that name. */
export function findCatalogTable(catalog: CatalogSnapshot, schema: string | undefined, name: string): CatalogTable | undefined {
  if (schema !== undefined) return catalog.tables.find((table) => table.schema === schema && table.name === name);
  const named = catalog.tables.filter((table) => table.name === name);
  return named.length === 1 ? named[0] : undefined;
}

export function findColumn(table: CatalogTable, name: string): CatalogColumn | undefined {
  return table.columns.find((column) => column.name === name);
}

/** Rows in the table as the planner sees it; 0 when unknown (never analysed). */
export function tableRows(table: CatalogTable): number {
  return Math.max(table.rowEstimate, 0);
}

/** Distinct non-null values of the column, undefined without statistics. */
export function distinctValues(table: CatalogTable, column: CatalogColumn): number | undefined {
  const stats = column.stats;
  if (!stats) return undefined;
  const distinct = stats.nDistinct < 0 ? -stats.nDistinct * tableRows(table) : stats.nDistinct;
  return Math.max(distinct, 1);
}
