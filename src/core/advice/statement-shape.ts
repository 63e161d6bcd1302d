/**
 * What the index advisor needs from the statement's parse tree: which tables it names (with
 * their schema, which EXPLAIN leaves out without VERBOSE) and which of their columns it uses, so
 * that a covering index includes exactly those and is never offered for `SELECT *`.
 */
import type { Node } from 'libpg-query';
import { parseSql } from '../sql/sql-parser';
import { columnOf, type ColumnName } from './sql-predicates';

export interface StatementRelation {
  schema?: string;
  table: string;
  /** The name columns are qualified with: the alias, else the table name. */
  refName: string;
}

export interface StatementShape {
  /** A plain SELECT: only reads can be answered from an index alone. */
  isSelect: boolean;
  relations: StatementRelation[];
  columnRefs: ColumnName[];
  /** Reference names read whole (`p.*`, a whole-row `p`); '' for an unqualified `*`. */
  wholeRows: Set<string>;
  /** Columns compared with a $n parameter (`status = $1`, `id IN ($1, $2)`): their value changes from one execution to the next. */
  parameterColumns: Set<string>;
}

/** Undefined when the text is not exactly one statement that parses. */
export function readStatementShape(sql: string): StatementShape | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const statement = parsed.statements[0]!.stmt;
  if (!statement) return undefined;
  const shape: StatementShape = {
    isSelect: 'SelectStmt' in statement,
    relations: [],
    columnRefs: [],
    wholeRows: new Set(),
    parameterColumns: new Set(),
  };
  collect(statement, shape);
  return shape;
}

function collect(value: unknown, shape: StatementShape): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, shape);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    // INSERT, UPDATE, DELETE and MERGE hold their target as a bare RangeVar under `relation`.
    if (key === 'RangeVar' || (key === 'relation' && isRangeVar(child))) {
      const range = child as { schemaname?: string; relname?: string; alias?: { aliasname?: string } };
      if (range.relname) {
        shape.relations.push({
          ...(range.schemaname ? { schema: range.schemaname } : {}),
          table: range.relname,
          refName: range.alias?.aliasname ?? range.relname,
        });
      }
    } else if (key === 'A_Expr') {
      const { lexpr, rexpr } = child as { lexpr?: Node; rexpr?: Node };
      const sides = [lexpr, rexpr];
      const column = sides.map((side) => side && columnOf(side)).find((found) => found !== undefined);
      if (column && sides.some((side) => side !== undefined && holdsParameter(side))) shape.parameterColumns.add(column.column);
    }
    if (key === 'ColumnRef') {
      const fields = (child as { fields?: Node[] }).fields ?? [];
      const last = fields[fields.length - 1];
      if (last && 'A_Star' in last) {
        const qualifier = fields[fields.length - 2];
        shape.wholeRows.add(qualifier && 'String' in qualifier ? (qualifier.String.sval ?? '') : '');
      } else {
        const column = columnOf({ ColumnRef: child } as Node);
        if (column) shape.columnRefs.push(column);
      }
    }
    collect(child, shape);
  }
}

/** A $n, possibly cast (`$1::int`) or in a list (`IN ($1, $2)`). */
function holdsParameter(node: Node): boolean {
  if ('ParamRef' in node) return true;
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && holdsParameter(node.TypeCast.arg);
  if ('List' in node) return (node.List.items ?? []).some(holdsParameter);
  return false;
}

function isRangeVar(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as { relname?: unknown }).relname === 'string';
}

/**
 * The columns of `table` the statement uses, with how often each is named; undefined when it
 * reads whole rows of the table (`*`, `t.*`, a whole-row reference) or is no plain SELECT.
 * `tableColumns` attributes unqualified names; a name that several tables share is counted for each.
 */
export function columnsUsed(
  shape: StatementShape,
  table: { schema: string; name: string },
  tableColumns: readonly string[],
): Map<string, number> | undefined {
  if (!shape.isSelect) return undefined;
  const refNames = new Set(
    shape.relations
      .filter((relation) => relation.table === table.name && (relation.schema === undefined || relation.schema === table.schema))
      .map((relation) => relation.refName),
  );
  if (refNames.size === 0) return undefined;
  if (shape.wholeRows.has('') || [...refNames].some((name) => shape.wholeRows.has(name))) return undefined;
  const known = new Set(tableColumns);
  const used = new Map<string, number>();
  for (const ref of shape.columnRefs) {
    if (ref.qualifier === undefined && !known.has(ref.column) && refNames.has(ref.column)) return undefined;
    const ours = ref.qualifier === undefined ? known.has(ref.column) : refNames.has(ref.qualifier) && known.has(ref.column);
    if (ours) used.set(ref.column, (used.get(ref.column) ?? 0) + 1);
  }
  return used;
}
