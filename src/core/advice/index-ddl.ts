/**
 * The one place CREATE INDEX statements and index names are written. Every suggestion the user
 * sees, copies or runs, and every hypothetical index Plan Lens asks the planner about, goes
 * through `formatCreateIndex`, so what was verified is exactly what is shown.
 */

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Hex digits of the hash that keeps a truncated index name unique. */
const NAME_HASH_DIGITS = 8;

/**
 * Keywords PostgreSQL's quote_ident() quotes: every category except unreserved (reserved,
 * column-name and type/function-name keywords), as of PostgreSQL 18. A column named like one of
 * these must be double-quoted in DDL.
 */
const QUOTED_KEYWORDS: ReadonlySet<string> = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast ' +
    'char character check coalesce collate collation column concurrently constraint create cross current_catalog ' +
    'current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable ' +
    'desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group ' +
    'grouping having ilike in initially inner inout int integer intersect interval into is isnull join json json_array ' +
    'json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize json_table json_value ' +
    'lateral leading least left like limit localtime localtimestamp merge_action national natural nchar none normalize ' +
    'not notnull null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary ' +
    'real references returning right row select session_user setof similar smallint some substring symmetric system_user ' +
    'table tablesample then time timestamp to trailing treat trim true union unique user using values varchar variadic ' +
    'verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi ' +
    'xmlroot xmlserialize xmltable'
  ).split(' '),
);

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * An identifier as PostgreSQL's quote_ident() writes it: bare when it is lowercase letters,
 * digits and underscores, does not start with a digit and is no keyword that needs
 * quoting; otherwise double-quoted with inner double quotes doubled.
 */
export function quoteIdentifier(name: string): string {
  if (PLAIN_IDENTIFIER.test(name) && !QUOTED_KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string constant in standard SQL form: single quotes, inner quotes doubled. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export interface IndexKeyColumn {
  name: string;
  descending: boolean;
  /**
   * NULLS FIRST (true) or NULLS LAST (false), only when it differs from the default for the
   * direction (ascending: last, descending: first); an ORDER BY with an explicit NULLS clause
   * needs the same in the index.
   */
  nullsFirst?: boolean;
  /** An expression key, as SQL (`lower(email)`, `date_trunc('day', created_at)`); `name` is then only for naming. */
  expression?: string;
  /** A non-default operator class (`text_pattern_ops`, `jsonb_path_ops`, `gin_trgm_ops`). */
  opclass?: string;
}

export interface CreateIndexSpec {
  name: string;
  schema?: string;
  table: string;
  columns: IndexKeyColumn[];
  include: string[];
  /** The partial index predicate, SQL, without WHERE. */
  where?: string;
  concurrently: boolean;
  /** Access method other than B-tree. */
  method?: 'gin';
}

/**
 * `CREATE INDEX [CONCURRENTLY] name ON schema.table [USING gin] (col | expr [opclass] [DESC] [NULLS ...], ...)
 * [INCLUDE (...)] [WHERE ...];`
 * The index goes into the table's schema, as PostgreSQL always places it.
 */
export function formatCreateIndex(spec: CreateIndexSpec): string {
  if (spec.columns.length === 0) throw new Error(`CREATE INDEX ${spec.name} needs at least one key column`);
  const table = spec.schema === undefined ? quoteIdentifier(spec.table) : `${quoteIdentifier(spec.schema)}.${quoteIdentifier(spec.table)}`;
  const keys = spec.columns.map(formatKeyColumn).join(', ');
  const using = spec.method === undefined ? '' : ` USING ${spec.method}`;
  let ddl = `CREATE INDEX ${spec.concurrently ? 'CONCURRENTLY ' : ''}${quoteIdentifier(spec.name)} ON ${table}${using} (${keys})`;
  if (spec.include.length > 0) ddl += ` INCLUDE (${spec.include.map(quoteIdentifier).join(', ')})`;
  if (spec.where !== undefined && spec.where.trim() !== '') ddl += ` WHERE ${spec.where.trim()}`;
  return `${ddl};`;
}

function formatKeyColumn(column: IndexKeyColumn): string {
  let text =
    column.expression === undefined
      ? quoteIdentifier(column.name)
      : isFunctionCall(column.expression)
        ? column.expression
        : `(${column.expression})`;
  if (column.opclass !== undefined) text += ` ${column.opclass}`;
  if (column.descending) text += ' DESC';
  const defaultNullsFirst = column.descending;
  if (column.nullsFirst !== undefined && column.nullsFirst !== defaultNullsFirst)
    text += column.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return text;
}

/**
 * A single function call (`lower(email)`) stands bare as an index key, as pg_get_indexdef() prints it;
 * any other expression (`(created_at)::date`, `lower(a) || b`) needs parentheses.
 */
function isFunctionCall(expression: string): boolean {
  const open = /^[a-z_][a-z0-9_]*\(/.exec(expression);
  if (!open) return false;
  let depth = 0;
  let quoted = false;
  for (let index = open[0].length - 1; index < expression.length; index++) {
    const char = expression[index];
    if (char === "'") quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')' && --depth === 0) return index === expression.length - 1;
  }
  return false;
}

export interface IndexNameOptions {
  /**
   * The index is partial: `true` appends `_partial`; a string appends `_where_<hint>`, the hint
   * naming the predicate ("is_active", "status_pending").
   */
  partial?: boolean | string;
}

/**
 * The naming convention of suggested indexes: `idx_<table>_<col1>_<col2>[_where_<hint> | _partial]`,
 * lowercase with every other character turned into `_`, so a name never needs quoting. A name
 * longer than PostgreSQL's 63 bytes is cut and ends in `_` plus a hash of the full name, so two
 * long names that share their start still differ.
 */
export function indexName(table: string, columns: readonly string[], options: IndexNameOptions = {}): string {
  const parts = ['idx', table, ...columns];
  if (options.partial === true) parts.push('partial');
  else if (typeof options.partial === 'string') parts.push('where', options.partial === '' ? 'partial' : options.partial);
  const full = parts
    .map(namePart)
    .filter((part) => part !== '')
    .join('_');
  if (full.length <= MAX_IDENTIFIER_BYTES) return full;
  const hash = fnv1a32(full).toString(16).padStart(NAME_HASH_DIGITS, '0');
  const kept = full.slice(0, MAX_IDENTIFIER_BYTES - NAME_HASH_DIGITS - 1).replace(/_+$/, '');
  return `${kept}_${hash}`;
}

/** An ASCII-only name part: a non-ASCII or punctuation character would force quoting. */
function namePart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^_|_$/g, '');
}

/** 32-bit FNV-1a over UTF-16 code units: a short, stable fingerprint, not a security hash. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
