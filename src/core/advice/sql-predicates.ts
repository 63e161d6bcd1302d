/**
 * Predicates and sort keys read with PostgreSQL's own parser: the conditions EXPLAIN prints
 * (Filter, Index Cond, Recheck Cond, Join Filter, Hash Cond, Merge Cond), the Sort Key entries,
 * and partial index predicates from pg_get_expr(). Each is wrapped into a statement
 * (`SELECT 1 WHERE <condition>`, `SELECT 1 ORDER BY <key>`) and the parse tree is read: only the
 * shapes a B-tree index can serve are recognised, everything else is counted as unread.
 */
import type { A_Const, Node, TypeCast } from 'libpg-query';
import { parseSql } from '../sql/sql-parser';
import { quoteIdentifier, quoteLiteral } from './index-ddl';

/** A column as written: `qualifier.column` or just `column`. */
export interface ColumnName {
  qualifier?: string;
  column: string;
}

/** A literal constant of a predicate. */
export interface SqlConstant {
  /** "true"/"false" for booleans, the digits of a number, the string itself. */
  text: string;
  type: 'boolean' | 'number' | 'string';
}

export type RangeOperator = '<' | '<=' | '>' | '>=';

/**
 * - `equality`: column = constant; a bare boolean column is `= true`, `NOT column` is `= false`.
 *   `value` is undefined for a constant that is no literal (`$1`, `now()`).
 * - `in`: column = ANY (array) or column IN (list).
 * - `range`: column against a constant with <, <=, >, >= (BETWEEN gives two).
 * - `is-null`, `is-not-null`.
 * - `join`: column = column of another relation (a join key).
 */
export type Predicate =
  | { kind: 'equality'; column: ColumnName; value?: SqlConstant }
  | { kind: 'in'; column: ColumnName; values?: SqlConstant[] }
  | { kind: 'range'; column: ColumnName; operator: RangeOperator }
  | { kind: 'is-null' | 'is-not-null'; column: ColumnName }
  | { kind: 'join'; column: ColumnName; other: ColumnName };

export interface ConditionReading {
  /** The conjuncts (parts of the top-level AND) understood as predicates. */
  predicates: Predicate[];
  /** Conjuncts that are none of the shapes above (OR, LIKE, functions of columns, ...). */
  unreadConjuncts: number;
}

/**
 * Reads a condition as EXPLAIN or pg_get_expr() prints it. Undefined when it does not parse as
 * SQL (EXPLAIN writes sub-plans as "(SubPlan 1)", which is not SQL).
 */
export function readCondition(condition: string): ConditionReading | undefined {
  const parsed = parseSql(`SELECT 1 WHERE ${condition}`);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const select = parsed.statements[0]!.stmt;
  if (!select || !('SelectStmt' in select) || !select.SelectStmt.whereClause) return undefined;
  return readWhereClause(select.SelectStmt.whereClause);
}

function readWhereClause(clause: Node): ConditionReading {
  const reading: ConditionReading = { predicates: [], unreadConjuncts: 0 };
  for (const conjunct of conjuncts(clause)) {
    const predicates = readConjunct(conjunct);
    if (predicates) reading.predicates.push(...predicates);
    else reading.unreadConjuncts++;
  }
  return reading;
}

export interface SortKey {
  column: ColumnName;
  descending: boolean;
  /** Only when the key says NULLS FIRST / NULLS LAST explicitly. */
  nullsFirst?: boolean;
}

/** Reads one "Sort Key" entry (`p.created_at DESC`); undefined when it is not a plain column. */
export function readSortKey(key: string): SortKey | undefined {
  const parsed = parseSql(`SELECT 1 ORDER BY ${key}`);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const select = parsed.statements[0]!.stmt;
  if (!select || !('SelectStmt' in select)) return undefined;
  const sortBy = select.SelectStmt.sortClause?.[0];
  if (!sortBy || !('SortBy' in sortBy) || !sortBy.SortBy.node) return undefined;
  const column = columnOf(sortBy.SortBy.node);
  if (!column) return undefined;
  const nulls = sortBy.SortBy.sortby_nulls;
  return {
    column,
    descending: sortBy.SortBy.sortby_dir === 'SORTBY_DESC',
    ...(nulls === 'SORTBY_NULLS_FIRST' ? { nullsFirst: true } : nulls === 'SORTBY_NULLS_LAST' ? { nullsFirst: false } : {}),
  };
}

/**
 * The predicate as an index WHERE clause, for constant predicates a partial index can carry
 * (`is_active = true`, `status = 'pending'`, `deleted_at IS NULL`); undefined for the rest.
 */
export function predicateSql(predicate: Predicate): string | undefined {
  const column = quoteIdentifier(predicate.column.column);
  switch (predicate.kind) {
    case 'equality':
      // A boolean test is written bare, as PostgreSQL stores it: the planner proves `is_active` implied
      // by `is_active = true` only after simplifying, which a hypothetical index's predicate never gets.
      if (predicate.value?.type === 'boolean') return predicate.value.text === 'true' ? column : `NOT ${column}`;
      return predicate.value && `${column} = ${constantSql(predicate.value)}`;
    case 'is-null':
      return `${column} IS NULL`;
    case 'is-not-null':
      return `${column} IS NOT NULL`;
    default:
      return undefined;
  }
}

/**
 * A key equal for predicates that mean the same on one table, whatever the spelling
 * (`is_active`, `is_active = true`, `(is_active = true)`); for comparing partial index predicates.
 */
export function predicateKey(predicate: Predicate): string {
  const column = predicate.column.column;
  switch (predicate.kind) {
    case 'equality':
      return `${column} = ${predicate.value ? constantKey(predicate.value) : '?'}`;
    case 'in':
      return `${column} IN (${predicate.values ? predicate.values.map(constantKey).sort().join(',') : '?'})`;
    case 'range':
      return `${column} ${predicate.operator} ?`;
    case 'join':
      return `${column} = ${predicate.other.qualifier ?? ''}.${predicate.other.column}`;
    default:
      return `${column} ${predicate.kind}`;
  }
}

function constantSql(value: SqlConstant): string {
  return value.type === 'string' ? quoteLiteral(value.text) : value.text;
}

function constantKey(value: SqlConstant): string {
  if (value.type === 'number') return String(Number(value.text));
  return `${value.type}:${value.text}`;
}

function conjuncts(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjuncts);
  return [node];
}

const RANGE_OPERATORS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);
const FLIPPED: Readonly<Record<RangeOperator, RangeOperator>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function readConjunct(node: Node): Predicate[] | undefined {
  const bare = columnOf(node);
  if (bare) return [{ kind: 'equality', column: bare, value: { text: 'true', type: 'boolean' } }];
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'NOT_EXPR' && node.BoolExpr.args?.length === 1) {
    const negated = columnOf(node.BoolExpr.args[0]!);
    return negated && [{ kind: 'equality', column: negated, value: { text: 'false', type: 'boolean' } }];
  }
  if ('NullTest' in node) {
    const column = node.NullTest.arg && columnOf(node.NullTest.arg);
    return column && [{ kind: node.NullTest.nulltesttype === 'IS_NULL' ? 'is-null' : 'is-not-null', column }];
  }
  if (!('A_Expr' in node)) return undefined;
  const { kind, lexpr, rexpr } = node.A_Expr;
  const operator = operatorName(node.A_Expr.name);
  if (!lexpr || !rexpr) return undefined;
  if (kind === 'AEXPR_OP' && operator !== undefined) return readComparison(operator, lexpr, rexpr);
  const column = columnOf(lexpr);
  if (!column) return undefined;
  if (kind === 'AEXPR_OP_ANY' && operator === '=' && isConstant(rexpr)) return [inList(column, arrayLiteralValues(rexpr))];
  if (kind === 'AEXPR_IN' && operator === '=' && 'List' in rexpr) {
    const items = rexpr.List.items ?? [];
    if (!items.every(isConstant)) return undefined;
    const values = items.map(literalOf);
    return [inList(column, values.every((value) => value !== undefined) ? (values as SqlConstant[]) : undefined)];
  }
  if (kind === 'AEXPR_BETWEEN' && 'List' in rexpr && (rexpr.List.items ?? []).every(isConstant)) {
    return [
      { kind: 'range', column, operator: '>=' },
      { kind: 'range', column, operator: '<=' },
    ];
  }
  return undefined;
}

/** `values` only when every element is a literal. */
function inList(column: ColumnName, values: SqlConstant[] | undefined): Predicate {
  return { kind: 'in', column, ...(values ? { values } : {}) };
}

function readComparison(operator: string, left: Node, right: Node): Predicate[] | undefined {
  const leftColumn = columnOf(left);
  const rightColumn = columnOf(right);
  if (leftColumn && rightColumn) {
    const sameRelation = leftColumn.qualifier === rightColumn.qualifier;
    return operator === '=' && !sameRelation ? [{ kind: 'join', column: leftColumn, other: rightColumn }] : undefined;
  }
  const column = leftColumn ?? rightColumn;
  const constant = leftColumn ? right : left;
  if (!column || !isConstant(constant)) return undefined;
  if (operator === '=') {
    const value = literalOf(constant);
    return [{ kind: 'equality', column, ...(value ? { value } : {}) }];
  }
  if (!RANGE_OPERATORS.has(operator)) return undefined;
  const asWritten = operator as RangeOperator;
  return [{ kind: 'range', column, operator: leftColumn ? asWritten : FLIPPED[asWritten] }];
}

function operatorName(name: Node[] | undefined): string | undefined {
  // A schema-qualified OPERATOR(pg_catalog.=) has the schema first; the operator is last.
  const last = name?.[name.length - 1];
  return last && 'String' in last ? last.String.sval : undefined;
}

/**
 * Casts that keep an index on the column usable: EXPLAIN prints a varchar column compared with
 * text as `(status)::text`, a binary-compatible relabelling the planner sees through.
 */
const TRANSPARENT_CASTS: ReadonlySet<string> = new Set(['text', 'varchar']);

/** The column a node names: a column reference, possibly under a transparent cast. */
export function columnOf(node: Node): ColumnName | undefined {
  if ('TypeCast' in node) {
    return node.TypeCast.arg && TRANSPARENT_CASTS.has(typeName(node.TypeCast) ?? '') ? columnOf(node.TypeCast.arg) : undefined;
  }
  if (!('ColumnRef' in node)) return undefined;
  const names: string[] = [];
  for (const field of node.ColumnRef.fields ?? []) {
    if (!('String' in field)) return undefined;
    names.push(field.String.sval ?? '');
  }
  if (names.length === 1) return { column: names[0]! };
  // schema.table.column and database.schema.table.column: the relation name is the qualifier.
  if (names.length >= 2) return { qualifier: names[names.length - 2], column: names[names.length - 1]! };
  return undefined;
}

function typeName(cast: TypeCast): string | undefined {
  const names = cast.typeName?.names ?? [];
  const last = names[names.length - 1];
  return last && 'String' in last && !cast.typeName?.arrayBounds ? last.String.sval : undefined;
}

/**
 * A value fixed for the whole scan: no column, no sub-query. Parameters ($1, and $0 for an
 * InitPlan's result) count: the planner can use them as index conditions.
 */
function isConstant(node: Node): boolean {
  let constant = true;
  visit(node, (key) => {
    if (key === 'ColumnRef' || key === 'SubLink' || key === 'A_Star') constant = false;
  });
  return constant;
}

function visit(value: unknown, onKey: (key: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, onKey);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      onKey(key);
      visit(child, onKey);
    }
  }
}

const NUMERIC_TYPES: ReadonlySet<string> = new Set([
  'int2',
  'int4',
  'int8',
  'integer',
  'bigint',
  'smallint',
  'numeric',
  'float4',
  'float8',
  'real',
]);

/** The literal a constant node holds (`'x'::text`, `42`, `true`, `'10000'::numeric`); undefined for anything else. */
function literalOf(node: Node): SqlConstant | undefined {
  if ('TypeCast' in node) {
    const inner = node.TypeCast.arg && literalOf(node.TypeCast.arg);
    if (!inner) return undefined;
    if (inner.type === 'string' && NUMERIC_TYPES.has(typeName(node.TypeCast) ?? '') && Number.isFinite(Number(inner.text))) {
      return { text: inner.text, type: 'number' };
    }
    if (inner.type === 'string' && typeName(node.TypeCast) === 'bool') return booleanText(inner.text);
    return inner;
  }
  if (!('A_Const' in node)) return undefined;
  return constantOf(node.A_Const);
}

function constantOf(constant: A_Const): SqlConstant | undefined {
  if (constant.isnull) return undefined;
  // The parse tree leaves out zero values: an integer 0 is `ival: {}`, false is `boolval: {}`.
  if (constant.ival !== undefined) return { text: String(constant.ival.ival ?? 0), type: 'number' };
  if (constant.fval !== undefined) return { text: constant.fval.fval ?? '0', type: 'number' };
  if (constant.boolval !== undefined) return { text: String(constant.boolval.boolval ?? false), type: 'boolean' };
  if (constant.sval !== undefined) return { text: constant.sval.sval ?? '', type: 'string' };
  return undefined;
}

function booleanText(text: string): SqlConstant | undefined {
  const lower = text.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(lower)) return { text: 'true', type: 'boolean' };
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(lower)) return { text: 'false', type: 'boolean' };
  return undefined;
}

/** The elements of `'{3,7,11}'::integer[]`, as EXPLAIN prints an IN list. */
function arrayLiteralValues(node: Node): SqlConstant[] | undefined {
  if (!('TypeCast' in node) || !node.TypeCast.arg || !('A_Const' in node.TypeCast.arg)) return undefined;
  const text = node.TypeCast.arg.A_Const.sval?.sval;
  if (text === undefined) return undefined;
  const elements = arrayElements(text);
  if (!elements) return undefined;
  const numeric = elements.every((element) => element !== '' && Number.isFinite(Number(element)));
  return elements.map((element) => ({ text: element, type: numeric ? 'number' : 'string' }));
}

/** A one-dimensional array literal's elements, unquoted; undefined for nested arrays. */
function arrayElements(literal: string): string[] | undefined {
  const text = literal.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  const body = text.slice(1, -1);
  if (body.trim() === '') return [];
  const elements: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (quoted) {
      if (char === '\\') current += body[++index] ?? '';
      else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === '{') return undefined;
    else if (char === ',') {
      elements.push(current.trim());
      current = '';
    } else current += char;
  }
  elements.push(current.trim());
  return elements;
}

/**
 * A conjunct comparing one column, or an expression of one column an index can hold, with a value
 * fixed for the scan, by any operator: what the index forms beyond plain B-tree columns work from
 * (`lower(email) = 'x'`, `code ~~ 'AB1%'`, `attrs @> '{...}'`).
 */
export interface OperatorConjunct {
  column: ColumnName;
  /** The expression around the column, when there is one. */
  expression?: ColumnExpression;
  /** As PostgreSQL names it: `=`, `<`, `~~` (LIKE), `~~*` (ILIKE), `@>`, `?`, ... */
  operator: string;
  /** The literal compared with; undefined for a parameter or a computed value. */
  value?: SqlConstant;
}

/** `lower(email)`, `date_trunc('day', created_at)`, `created_at::date`: a function or cast of one column. */
export interface ColumnExpression {
  /** The function's name, or `cast`. */
  kind: string;
  /** The cast's target type, or the constant arguments before the column (date_trunc's unit). */
  target?: string;
  /** As SQL without the column's qualifier, ready to be an index key. */
  sql: string;
}

/** Functions of one column that are worth an expression index, with the constant arguments they may take first. */
const EXPRESSION_FUNCTIONS: ReadonlyMap<string, { leadingConstants: number }> = new Map([
  ['lower', { leadingConstants: 0 }],
  ['upper', { leadingConstants: 0 }],
  ['date_trunc', { leadingConstants: 1 }],
]);

/** Every conjunct of the condition that compares a column or column expression by an operator; undefined when it does not parse. */
export function readOperatorConjuncts(condition: string): OperatorConjunct[] | undefined {
  const clause = whereClauseOf(condition);
  if (!clause) return undefined;
  return conjuncts(clause).flatMap((conjunct) => {
    const read = operatorConjunct(conjunct);
    return read ? [read] : [];
  });
}

/**
 * The OR conjuncts of a condition, each as the readings of its branches; a branch that is itself
 * an AND gives several predicates.
 */
export function readDisjunctions(condition: string): ConditionReading[][] | undefined {
  const clause = whereClauseOf(condition);
  if (!clause) return undefined;
  return conjuncts(clause)
    .filter((conjunct) => 'BoolExpr' in conjunct && conjunct.BoolExpr.boolop === 'OR_EXPR')
    .map((conjunct) => (conjunct as { BoolExpr: { args?: Node[] } }).BoolExpr.args!.map(readWhereClause));
}

function whereClauseOf(condition: string): Node | undefined {
  const parsed = parseSql(`SELECT 1 WHERE ${condition}`);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const select = parsed.statements[0]!.stmt;
  return select && 'SelectStmt' in select ? select.SelectStmt.whereClause : undefined;
}

function operatorConjunct(node: Node): OperatorConjunct | undefined {
  if (!('A_Expr' in node) || node.A_Expr.kind !== 'AEXPR_OP') return undefined;
  const operator = operatorName(node.A_Expr.name);
  const { lexpr, rexpr } = node.A_Expr;
  if (operator === undefined || !lexpr || !rexpr || !isConstant(rexpr)) return undefined;
  const value = literalOf(rexpr);
  const column = columnOf(lexpr);
  if (column) return { column, operator, ...(value ? { value } : {}) };
  const expression = columnExpression(lexpr);
  return expression && { column: expression.column, expression: expression.expression, operator, ...(value ? { value } : {}) };
}

function columnExpression(node: Node): { column: ColumnName; expression: ColumnExpression } | undefined {
  if ('TypeCast' in node && node.TypeCast.arg) {
    const column = columnOf(node.TypeCast.arg);
    const target = typeName(node.TypeCast);
    if (!column || target === undefined) return undefined;
    return { column, expression: { kind: 'cast', target, sql: `${quoteIdentifier(column.column)}::${target}` } };
  }
  if (!('FuncCall' in node)) return undefined;
  const call = node.FuncCall;
  const names = call.funcname ?? [];
  const last = names[names.length - 1];
  const name = last && 'String' in last ? last.String.sval : undefined;
  const shape = name === undefined ? undefined : EXPRESSION_FUNCTIONS.get(name);
  const args = call.args ?? [];
  if (!shape || args.length !== shape.leadingConstants + 1 || call.agg_star || call.over) return undefined;
  const leading = args.slice(0, shape.leadingConstants).map(literalOf);
  if (leading.some((constant) => constant === undefined || constant.type !== 'string')) return undefined;
  const column = columnOf(args[shape.leadingConstants]!);
  if (!column) return undefined;
  const constants = (leading as SqlConstant[]).map((constant) => quoteLiteral(constant.text));
  return {
    column,
    expression: {
      kind: name!,
      ...(constants.length > 0 ? { target: (leading as SqlConstant[]).map((constant) => constant.text).join(',') } : {}),
      sql: `${name}(${[...constants, quoteIdentifier(column.column)].join(', ')})`,
    },
  };
}
