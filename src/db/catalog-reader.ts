/**
 * Reads the catalog facts the index advisor works from: each table's size, columns, existing
 * indexes (pg_index, key columns in order with their directions, INCLUDE columns, predicate,
 * validity) and the planner's column statistics (pg_stats). Read-only catalog queries; tables
 * the user cannot see, and columns without statistics, are simply left out.
 */
import type { ClientBase } from 'pg';
import type { CatalogIndex, CatalogIndexKey, CatalogSnapshot, CatalogTable, ColumnStatistics } from '../core/advice/catalog-snapshot';

export interface TableToRead {
  /** Without a schema the name is resolved on the connection's search_path, as the statement's was. */
  schema?: string;
  table: string;
}

/** pg_index.indoption bits (src/include/catalog/pg_index.h). */
const INDOPTION_DESC = 1;
const INDOPTION_NULLS_FIRST = 2;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  reltuples: number;
  relpages: number;
  relallvisible: number;
  root_schema: string | null;
  root_name: string | null;
}

interface ColumnRow {
  relid: number;
  attnum: number;
  name: string;
  type: string;
  not_null: boolean;
  collation: string | null;
}

interface StatsRow {
  relid: number;
  name: string;
  null_frac: number | null;
  n_distinct: number | null;
  most_common_vals: string[] | null;
  most_common_freqs: number[] | null;
  correlation: number | null;
}

interface IndexRow {
  relid: number;
  name: string;
  method: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  key_count: number;
  attnums: number[];
  options: number[];
  opclasses: string[];
  definitions: string[];
  predicate: string | null;
}

export async function readCatalogSnapshot(client: ClientBase, tables: readonly TableToRead[]): Promise<CatalogSnapshot> {
  if (tables.length === 0) return { tables: [] };
  // to_regclass() resolves like the statement did (search_path for bare names) and gives NULL,
  // not an error, for a table that does not exist or cannot be seen.
  // A partition comes with the partitioned table at the root of its tree (pg_partition_root, 12+),
  // where one index serves every partition; a partitioned table comes with its partitions, which is
  // how the plan's scans of partitions (named without a schema, not on the search_path) are found.
  const found = await client.query<TableRow>(
    `WITH named AS (
       SELECT to_regclass(CASE WHEN wanted.schema_name IS NULL THEN quote_ident(wanted.table_name)
                               ELSE quote_ident(wanted.schema_name) || '.' || quote_ident(wanted.table_name) END) AS oid
         FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
     ), wanted AS (
       SELECT oid FROM named WHERE oid IS NOT NULL
       UNION
       SELECT pg_partition_root(c.oid) FROM named JOIN pg_class c ON c.oid = named.oid WHERE c.relispartition
       UNION
       SELECT tree.relid FROM named JOIN pg_class c ON c.oid = named.oid AND c.relkind = 'p', pg_partition_tree(named.oid) AS tree
     )
     SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
            c.reltuples::float8 AS reltuples, c.relpages::int AS relpages, c.relallvisible::int AS relallvisible,
            rn.nspname AS root_schema, r.relname AS root_name
       FROM wanted
       JOIN pg_class c ON c.oid = wanted.oid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class r ON c.relispartition AND r.oid = pg_partition_root(c.oid)
       LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm')`,
    [tables.map((table) => table.schema ?? null), tables.map((table) => table.table)],
  );
  if (found.rows.length === 0) return { tables: [] };
  const oids = found.rows.map((row) => row.oid);
  const columns = await client.query<ColumnRow>(
    `SELECT a.attrelid::int AS relid, a.attnum::int AS attnum, a.attname AS name,
            format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            CASE WHEN a.attcollation = 0 THEN NULL
                 WHEN co.oid IS NULL THEN (SELECT datcollate FROM pg_database WHERE datname = current_database())
                 ELSE coalesce(nullif(co.collcollate, ''), co.collname) END AS collation
       FROM pg_attribute a
       -- The default collation is the database's; an ICU collation has no LC_COLLATE, its name says enough (never C).
       LEFT JOIN pg_collation co ON co.oid = a.attcollation AND co.collprovider <> 'd'
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  // pg_stats shows only columns the user may read; the non-inherited row comes first.
  const stats = await client.query<StatsRow>(
    `SELECT DISTINCT ON (c.oid, s.attname) c.oid::int AS relid, s.attname AS name,
            s.null_frac::float8 AS null_frac, s.n_distinct::float8 AS n_distinct,
            s.most_common_vals::text::text[] AS most_common_vals, s.most_common_freqs::float8[] AS most_common_freqs,
            s.correlation::float8 AS correlation
       FROM pg_stats s
       JOIN pg_namespace n ON n.nspname = s.schemaname
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
      WHERE c.oid = ANY($1::oid[])
      ORDER BY c.oid, s.attname, s.inherited`,
    [oids],
  );
  // indkey and indoption are int2vectors, subscripted from 0: as JSON they arrive as plain arrays.
  const indexes = await client.query<IndexRow>(
    `SELECT i.indrelid::int AS relid, ic.relname AS name, am.amname AS method,
            i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid,
            i.indnkeyatts::int AS key_count,
            array_to_json(i.indkey::int2[]) AS attnums, array_to_json(i.indoption::int2[]) AS options,
            ARRAY(SELECT CASE WHEN oc.opcdefault THEN '' ELSE oc.opcname::text END
                    FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(opclass, position)
                    JOIN pg_opclass oc ON oc.oid = k.opclass ORDER BY k.position) AS opclasses,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) AS k ORDER BY k) AS definitions,
            pg_get_expr(i.indpred, i.indrelid, true) AS predicate
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = ANY($1::oid[])
      ORDER BY i.indrelid, ic.relname`,
    [oids],
  );

  const extensions = await client.query<{ name: string }>('SELECT extname AS name FROM pg_extension ORDER BY 1');

  return {
    extensions: extensions.rows.map((row) => row.name),
    tables: found.rows.map((row): CatalogTable => {
      const own = columns.rows.filter((column) => column.relid === row.oid);
      const namesByNumber = new Map(own.map((column) => [column.attnum, column.name]));
      return {
        schema: row.schema,
        name: row.name,
        rowEstimate: row.reltuples,
        pages: row.relpages,
        allVisiblePages: row.relallvisible,
        ...(row.root_schema === null || row.root_name === null ? {} : { partitionRoot: { schema: row.root_schema, name: row.root_name } }),
        columns: own.map((column) => {
          const stat = stats.rows.find((candidate) => candidate.relid === row.oid && candidate.name === column.name);
          const statistics = stat && toStatistics(stat);
          return {
            name: column.name,
            type: column.type,
            notNull: column.not_null,
            ...(column.collation === null ? {} : { collation: column.collation }),
            ...(statistics ? { stats: statistics } : {}),
          };
        }),
        indexes: indexes.rows.filter((index) => index.relid === row.oid).map((index) => toIndex(index, namesByNumber)),
      };
    }),
  };
}

function toStatistics(row: StatsRow): ColumnStatistics | undefined {
  if (row.n_distinct === null || row.null_frac === null) return undefined;
  const values = row.most_common_vals ?? [];
  const frequencies = row.most_common_freqs ?? [];
  // The two arrays pair up; should they ever differ in length, neither can be trusted.
  const paired = values.length === frequencies.length;
  return {
    nullFraction: row.null_frac,
    nDistinct: row.n_distinct,
    mostCommonValues: paired ? values : [],
    mostCommonFrequencies: paired ? frequencies : [],
    ...(row.correlation === null ? {} : { correlation: row.correlation }),
  };
}

function toIndex(row: IndexRow, namesByNumber: Map<number, string>): CatalogIndex {
  const keys: CatalogIndexKey[] = [];
  const include: string[] = [];
  row.attnums.forEach((attnum, position) => {
    const column = attnum === 0 ? undefined : namesByNumber.get(attnum);
    if (position >= row.key_count) {
      if (column !== undefined) include.push(column);
      return;
    }
    const option = row.options[position] ?? 0;
    const opclass = row.opclasses[position] ?? '';
    keys.push({
      ...(column === undefined ? { expression: row.definitions[position] ?? '' } : { column }),
      ...(opclass === '' ? {} : { opclass }),
      descending: (option & INDOPTION_DESC) !== 0,
      nullsFirst: (option & INDOPTION_NULLS_FIRST) !== 0,
    });
  });
  return {
    name: row.name,
    method: row.method,
    unique: row.unique,
    primary: row.primary,
    valid: row.valid,
    keys,
    include,
    ...(row.predicate === null ? {} : { predicate: row.predicate }),
  };
}
