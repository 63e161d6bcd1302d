/**
 * Where in a statement's text a finding is about: a table reference, the conditions on a table,
 * the ORDER BY keys. Located with PostgreSQL's own parser (node locations) and lexer (token ends),
 * so editor diagnostics underline that part instead of the whole statement.
 */
import type { ScanToken } from 'libpg-query';
import { visitNodes } from './parse-tree';
import { parseSql, scanSql, Utf8IndexMap } from './sql-parser';

/** The part of a statement a finding is about; `names` are the relation, alias or partitioned table it reads. */
export type StatementSubject = { kind: 'table'; names: string[] } | { kind: 'predicate'; names: string[] } | { kind: 'order-by' };

/** UTF-16 indices into the statement text, end exclusive. */
export interface TextSpan {
  start: number;
  end: number;
}

type Json = Record<string, unknown>;

interface RangeVarAt {
  relname: string;
  alias?: string;
  location: number;
  select: Json | undefined;
}

interface Tree {
  rangeVars: RangeVarAt[];
  selects: Json[];
}

export type SubjectLocator = (subject: StatementSubject) => TextSpan | undefined;

/**
 * Parses `sql` (one statement) once and returns what finds each subject's span in it, undefined
 * where the parser does not find it; the locator itself is undefined when `sql` is not one statement.
 */
export function subjectLocator(sql: string): SubjectLocator | undefined {
  const parsed = parseSql(sql);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const tokens = scanSql(sql);
  if (!tokens) return undefined;
  const tree = readTree(parsed.statements[0].stmt);
  const offsets = new Utf8IndexMap(sql);
  return (subject) => {
    const bytes = locateBytes(tree, tokens, subject);
    return bytes && { start: offsets.indexAtByte(bytes.start), end: offsets.indexAtByte(bytes.end) };
  };
}

function locateBytes(tree: Tree, tokens: ScanToken[], subject: StatementSubject): TextSpan | undefined {
  if (subject.kind === 'order-by') {
    const sortClause = tree.selects.map((s) => s.sortClause).find((c): c is unknown[] => Array.isArray(c) && c.length > 0);
    return sortClause ? spanOf(sortClause, tokens, true) : undefined;
  }
  const names = new Set(subject.names.map((name) => name.toLowerCase()));
  const reference = tree.rangeVars.find(
    (r) => names.has(r.relname.toLowerCase()) || (r.alias !== undefined && names.has(r.alias.toLowerCase())),
  );
  if (subject.kind === 'table') return reference ? referenceSpan(reference, tokens) : undefined;
  const select = reference ? reference.select : tree.selects[0];
  const where = select?.whereClause;
  if (!where) return reference ? referenceSpan(reference, tokens) : undefined;
  const qualifiers = new Set(names);
  if (reference?.alias) qualifiers.add(reference.alias.toLowerCase());
  const alone = tree.rangeVars.filter((r) => r.select === select).length === 1;
  const conjuncts = conjunctsOf(where).filter((c) => mentions(c, qualifiers, alone));
  return spanOf(conjuncts.length > 0 ? conjuncts : [where], tokens, false);
}

/** The parse tree's table references, each with the SELECT it belongs to, and the SELECTs outermost first; no recursion. */
function readTree(root: unknown): Tree {
  const tree: Tree = { rangeVars: [], selects: [] };
  const stack: Array<{ value: unknown; select: Json | undefined }> = [{ value: root, select: undefined }];
  while (stack.length > 0) {
    const { value, select } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], select });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const node = value as Json;
    let inner = select;
    if (isJson(node.SelectStmt)) {
      inner = node.SelectStmt;
      tree.selects.push(inner);
    }
    if (isJson(node.RangeVar)) {
      const rangeVar = node.RangeVar;
      const alias = isJson(rangeVar.alias) && typeof rangeVar.alias.aliasname === 'string' ? rangeVar.alias.aliasname : undefined;
      if (typeof rangeVar.relname === 'string' && typeof rangeVar.location === 'number') {
        tree.rangeVars.push({ relname: rangeVar.relname, ...(alias !== undefined ? { alias } : {}), location: rangeVar.location, select });
      }
    }
    const keys = Object.keys(node);
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: node[keys[i]], select: inner });
  }
  return tree;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parts of a top-level AND, or the condition itself. */
function conjunctsOf(where: unknown): unknown[] {
  if (isJson(where) && isJson(where.BoolExpr) && where.BoolExpr.boolop === 'AND_EXPR' && Array.isArray(where.BoolExpr.args)) {
    return where.BoolExpr.args;
  }
  return [where];
}

/** Whether a condition names a column of the table: qualified by one of its names, or unqualified when the table is alone. */
function mentions(condition: unknown, qualifiers: Set<string>, alone: boolean): boolean {
  return columnRefs(condition).some((fields) => (fields.length === 1 ? alone : qualifiers.has(fields[fields.length - 2].toLowerCase())));
}

function columnRefs(root: unknown): string[][] {
  const found: string[][] = [];
  visitNodes(root, (type, node) => {
    if (type === 'ColumnRef' && Array.isArray(node.fields)) {
      found.push(node.fields.map((f) => (isJson(f) && isJson(f.String) ? String(f.String.sval) : '*')));
    }
  });
  return found;
}

/** From the first location in `parts` to the end of the token at the last one (and a trailing ASC, DESC, NULLS FIRST/LAST). */
function spanOf(parts: unknown[], tokens: ScanToken[], withOrder: boolean): TextSpan | undefined {
  let start = Infinity;
  let last = -Infinity;
  visitNodes(parts, (_type, node) => {
    if (typeof node.location !== 'number' || node.location < 0) return;
    start = Math.min(start, node.location);
    last = Math.max(last, node.location);
  });
  if (start === Infinity) return undefined;
  let index = tokens.findIndex((t) => t.start === last);
  if (index < 0) return undefined;
  // A column reference is located at its first name: "o.created_at" goes on to the last.
  while (tokens[index + 1]?.text === '.' && tokens[index + 2]) index += 2;
  // The last location is inside a list or a call ("sku IN (1, 2)"): close what the span opened.
  let open = 0;
  for (const token of tokens) {
    if (token.start < start || token.start > tokens[index].start) continue;
    if (token.text === '(') open++;
    else if (token.text === ')') open--;
  }
  while (open > 0 && tokens[index + 1]?.text === ')') {
    index++;
    open--;
  }
  if (withOrder) {
    while (index + 1 < tokens.length && ORDER_WORDS.has(tokens[index + 1].text.toUpperCase())) index++;
  }
  return { start, end: tokens[index].end };
}

const ORDER_WORDS = new Set(['ASC', 'DESC', 'NULLS', 'FIRST', 'LAST']);

/** "schema.table AS alias": the table's name, qualified or not, and its alias when it has one. */
function referenceSpan(reference: RangeVarAt, tokens: ScanToken[]): TextSpan | undefined {
  let index = tokens.findIndex((t) => t.start === reference.location);
  if (index < 0) return undefined;
  while (tokens[index + 1]?.text === '.' && tokens[index + 2]) index += 2;
  if (reference.alias !== undefined) {
    if (tokens[index + 1]?.text.toUpperCase() === 'AS') index++;
    if (tokens[index + 1]) index++;
  }
  return { start: reference.location, end: tokens[index].end };
}
