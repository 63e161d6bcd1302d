/**
 * Placeholders in SQL copied out of application code, found on PostgreSQL's own tokens so that
 * anything inside strings, quoted identifiers and comments is never mistaken for one.
 *
 * `$1` is the lexer's PARAM token (what the parser turns into a ParamRef). The other styles mean
 * nothing to PostgreSQL, so they are recognised as runs of adjacent tokens:
 * - `:name` is `:` directly followed by a name; `::type` is a single cast token and `a[1:n]`
 *   (inside brackets) is an array slice, so neither counts.
 * - `%s` and `%(name)s` are an operator ending in `%` followed directly by `s` or `(name)s`; `%%`
 *   is the escaped percent sign.
 * - `?` is an operator ending in `?` (the lexer glues `=?` into one operator). `??` is the escaped
 *   `?` operator, and a lone `?` between two operands (`data ? 'key'`) is jsonb's key-exists operator.
 *
 * Limits: a `?` glued to a following operator character (`?=`) is read by PostgreSQL as part of
 * that operator and is not reported. When the text also holds an unterminated string or comment,
 * PostgreSQL's lexer gives up and only placeholders before the first spot its parser rejects
 * (often the first non-`$n` placeholder) are reported.
 */
import { isComment, tokenizeSql, type SqlToken } from './tokens';

export type SqlPlaceholderStyle = 'dollar' | 'colon' | 'percent-named' | 'percent' | 'question';

export interface SqlPlaceholder {
  style: SqlPlaceholderStyle;
  /** The placeholder as written: `$2`, `:id`, `%(id)s`, `%s`, `?`. */
  text: string;
  /** For `:name` and `%(name)s`. */
  name?: string;
  /** For `$n`. */
  number?: number;
  /** UTF-16 index of the first character. */
  start: number;
  /** UTF-16 index just past the last character. */
  end: number;
}

const OPERATOR_CHARACTERS = /^[+\-*/<>=~!@#%^&|`?]+$/;

export function findPlaceholders(sqlText: string): SqlPlaceholder[] {
  const tokens = tokenizeSql(sqlText).tokens.filter((token) => !isComment(token));
  const placeholders: SqlPlaceholder[] = [];
  const add = (style: SqlPlaceholderStyle, start: number, end: number, details: Pick<SqlPlaceholder, 'name' | 'number'> = {}): void => {
    placeholders.push({ style, text: sqlText.slice(start, end), ...details, start, end });
  };
  let bracketDepth = 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    const following = (count: number): SqlToken[] | undefined => adjacentRun(tokens, index, count);
    if (token.text === '[') bracketDepth++;
    else if (token.text === ']') bracketDepth = Math.max(0, bracketDepth - 1);
    else if (token.tokenName === 'PARAM') {
      add('dollar', token.start, token.end, { number: Number(token.text.slice(1)) });
    } else if (token.text === ':' && bracketDepth === 0) {
      const [name] = following(1) ?? [];
      if (name && isName(name)) {
        add('colon', token.start, name.end, { name: name.text });
        index++;
      }
    } else if (OPERATOR_CHARACTERS.test(token.text)) {
      if (endsWithOddRun(token.text, '%')) {
        const [letter] = following(1) ?? [];
        const [open, name, close, letterAfterName] = following(4) ?? [];
        if (letter?.text === 's') {
          add('percent', token.end - 1, letter.end);
          index++;
        } else if (open?.text === '(' && isName(name) && close.text === ')' && letterAfterName.text === 's') {
          add('percent-named', token.end - 1, letterAfterName.end, { name: name.text });
          index += 4;
        }
      } else if (endsWithOddRun(token.text, '?') && !isKeyExistsOperator(token, tokens[index - 1], tokens[index + 1])) {
        add('question', token.end - 1, token.end);
      }
    }
  }
  return placeholders;
}

/** The `count` tokens after `tokens[index]`, when each starts exactly where the previous one ends. */
function adjacentRun(tokens: SqlToken[], index: number, count: number): SqlToken[] | undefined {
  const run = tokens.slice(index + 1, index + 1 + count);
  if (run.length < count) return undefined;
  let end = tokens[index].end;
  for (const token of run) {
    if (token.start !== end) return undefined;
    end = token.end;
  }
  return run;
}

function isName(token: SqlToken): boolean {
  return (token.tokenName === 'IDENT' && !token.text.startsWith('"')) || token.keywordName !== 'NO_KEYWORD';
}

/** Whether `text` ends with an odd number of `char`: an even run is that many escaped characters. */
function endsWithOddRun(text: string, char: string): boolean {
  let run = 0;
  while (run < text.length && text[text.length - 1 - run] === char) run++;
  return run % 2 === 1;
}

const OPERAND_TOKENS = new Set(['IDENT', 'ICONST', 'FCONST', 'SCONST', 'PARAM']);

function isKeyExistsOperator(token: SqlToken, previous: SqlToken | undefined, next: SqlToken | undefined): boolean {
  return (
    token.text === '?' &&
    previous !== undefined &&
    next !== undefined &&
    (isOperand(previous) || previous.text === ')' || previous.text === ']') &&
    (isOperand(next) || next.text === '(')
  );
}

function isOperand(token: SqlToken): boolean {
  return OPERAND_TOKENS.has(token.tokenName) || (token.keywordName !== 'NO_KEYWORD' && token.keywordName !== 'RESERVED_KEYWORD');
}

export interface ParameterisedStatement {
  text: string;
  /** One label per `$n`, in order: `$1`, `:id`, `%(name)s`, `?3`… */
  slots: string[];
  /** The index in the text as written of an index in the rewritten text, so errors point at what was written. */
  writtenIndex(rewrittenIndex: number): number;
}

/**
 * `$n` placeholders keep their numbers. Named ones (`:id`, `%(id)s`) share one parameter per name;
 * positional ones (`%s`, `?`) get one each, numbered after the highest `$n`.
 */
export function toDollarParameters(text: string, placeholders: SqlPlaceholder[]): ParameterisedStatement {
  const ordered = [...placeholders].sort((a, b) => a.start - b.start);
  const slots: string[] = [];
  for (const p of ordered) if (p.style === 'dollar') slots[p.number! - 1] = p.text;
  let next = slots.length;
  const byName = new Map<string, number>();
  let out = '';
  let cursor = 0;
  // Where each rewritten placeholder starts in both texts; between them the texts are the same.
  const shifts: Array<{ rewritten: number; written: number; rewrittenEnd: number; writtenEnd: number }> = [];
  for (const p of ordered) {
    let number: number;
    if (p.style === 'dollar') {
      number = p.number!;
    } else if (p.name !== undefined) {
      number = byName.get(p.name) ?? ++next;
      byName.set(p.name, number);
      slots[number - 1] = p.text;
    } else {
      number = ++next;
      slots[number - 1] = `${p.text} #${number}`;
    }
    out += text.slice(cursor, p.start);
    const rewritten = out.length;
    out += `$${number}`;
    shifts.push({ rewritten, written: p.start, rewrittenEnd: out.length, writtenEnd: p.end });
    cursor = p.end;
  }
  for (let i = 0; i < slots.length; i++) slots[i] ??= `$${i + 1}`;
  const writtenIndex = (index: number): number => {
    let shift = { rewrittenEnd: 0, writtenEnd: 0 };
    for (const s of shifts) {
      if (index < s.rewritten) break;
      // Inside a placeholder: its start, where a reader looks for it.
      if (index < s.rewrittenEnd) return s.written;
      shift = s;
    }
    return index - shift.rewrittenEnd + shift.writtenEnd;
  };
  return { text: out + text.slice(cursor), slots, writtenIndex };
}
