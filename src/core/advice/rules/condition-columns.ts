/**
 * The columns a condition of EXPLAIN mentions ("Filter: ((a = 1) AND (b.c > 2))" -> a, b.c), so
 * that fixes can name them: "CREATE INDEX ON items (sku)". PostgreSQL prints conditions
 * deparsed, in a regular form: identifiers, optionally qualified by an alias, function calls,
 * casts ("::numeric"), string literals and operators. Anything unusual is skipped rather than
 * guessed: a fix without column names is better than one with wrong ones.
 */

export interface ColumnRef {
  /** The alias or table before the dot, when the condition names one. */
  qualifier?: string;
  /** As PostgreSQL printed it, so valid SQL: bare, or double-quoted when it must be. */
  column: string;
}

/** Words of the deparsed expression syntax that are never column names. */
const KEYWORDS = new Set([
  'and', 'or', 'not', 'is', 'null', 'true', 'false', 'any', 'all', 'some', 'in', 'like', 'ilike', 'similar',
  'between', 'case', 'when', 'then', 'else', 'end', 'array', 'distinct', 'from', 'unknown', 'collate',
  'row', 'exists', 'current_date', 'current_timestamp', 'localtimestamp', 'current_user',
]);
/** Words continuing a multi-word type name after "::", e.g. "::timestamp with time zone". */
const TYPE_CONTINUATIONS = new Set(['with', 'without', 'time', 'zone', 'varying', 'precision']);
/** "SubPlan 1", "InitPlan 2", "CTE name": references to other plan parts, not columns. */
const PLAN_REFERENCES = new Set(['SubPlan', 'InitPlan', 'CTE']);

const IDENTIFIER = /^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/;

/** Column references in a condition, in order of first appearance, each once. */
export function conditionColumns(condition: string | undefined): ColumnRef[] {
  if (!condition) return [];
  const found: ColumnRef[] = [];
  const seen = new Set<string>();
  let i = 0;
  let afterCast = false;
  while (i < condition.length) {
    const ch = condition[i];
    if (ch === "'") {
      i = skipString(condition, i);
      afterCast = false;
      continue;
    }
    if (ch === ':' && condition[i + 1] === ':') {
      i += 2;
      afterCast = true;
      continue;
    }
    const match = IDENTIFIER.exec(condition.slice(i));
    if (!match || (i > 0 && /[A-Za-z0-9_$]/.test(condition[i - 1]))) {
      // Not at the start of a word (a digit run, an operator, the tail of a number like "1e5").
      if (ch !== ' ' && ch !== '[' && ch !== ']') afterCast = false;
      i++;
      continue;
    }
    let word = match[0];
    let end = i + word.length;
    if (afterCast) {
      // The type of a cast: skip it and the words of a multi-word type name.
      afterCast = false;
      i = skipTypeContinuation(condition, end);
      continue;
    }
    let qualifier: string | undefined;
    if (condition[end] === '.') {
      const next = IDENTIFIER.exec(condition.slice(end + 1));
      if (next) {
        qualifier = word;
        word = next[0];
        end = end + 1 + next[0].length;
      }
    }
    const isCall = condition[end] === '(';
    // "(InitPlan 1).col1", "(row).field": a field of a computed value, not a column of the table.
    const isFieldOfResult = condition[i - 1] === '.' && condition[i - 2] === ')';
    const isPlanReference = PLAN_REFERENCES.has(word) && qualifier === undefined;
    if (!isCall && !isFieldOfResult && !isPlanReference && !KEYWORDS.has(word.toLowerCase())) {
      const ref: ColumnRef = { column: word };
      if (qualifier !== undefined) ref.qualifier = unquote(qualifier);
      const key = `${ref.qualifier ?? ''}.${ref.column}`;
      if (!seen.has(key)) {
        seen.add(key);
        found.push(ref);
      }
    }
    i = end;
  }
  return found;
}

/** The columns of `condition` that belong to the table read as `alias` (or that name no table). */
export function columnsOf(condition: string | undefined, alias: string | undefined, relation: string | undefined): string[] {
  return conditionColumns(condition)
    .filter((ref) => ref.qualifier === undefined || ref.qualifier === alias || ref.qualifier === relation)
    .map((ref) => ref.column);
}

function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "'") {
      if (text[i + 1] === "'") i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return i;
}

function skipTypeContinuation(text: string, start: number): number {
  let i = start;
  for (;;) {
    const word = /^ ([a-z]+)/.exec(text.slice(i));
    if (!word || !TYPE_CONTINUATIONS.has(word[1])) break;
    i += word[0].length;
  }
  while (text.startsWith('[]', i)) i += 2;
  return i;
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replace(/""/g, '"') : identifier;
}
