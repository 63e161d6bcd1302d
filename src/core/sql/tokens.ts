/**
 * Tokens of SQL text from PostgreSQL's own lexer, with UTF-16 positions, tolerant of text the
 * lexer rejects (the normal state of a document being edited).
 *
 * libpg-query's scanner gives up on the whole text at the first lexical error and does not say
 * where it is, but its parser does. So on failure the parser locates the problem:
 * - an unterminated string, quoted identifier, dollar quote or comment swallows everything to the
 *   end of the text (as it would in PostgreSQL): the tokens before it are kept and the rest is
 *   reported as `unlexable`;
 * - a self-contained bad token (`""`, `1abc`) becomes an `INVALID` token and lexing resumes after it.
 *
 * Limit: when a statement has a grammar error before the lexical error, the parser stops at the
 * grammar error, so everything from there to the end of the text is reported as `unlexable`.
 */
import type { ScanToken } from 'libpg-query';
import { parseSql, scanSql, Utf8IndexMap } from './sql-parser';

export interface SqlToken {
  /** UTF-16 index of the first character. */
  start: number;
  /** UTF-16 index just past the last character. */
  end: number;
  text: string;
  /**
   * libpg-query's token name: `IDENT`, `SCONST`, `ICONST`, `FCONST`, `PARAM`, `TYPECAST`,
   * `SQL_COMMENT`, `C_COMMENT`, `ASCII_nn` for some single characters, `UNKNOWN` for keywords,
   * operators and the rest; `INVALID` for a token the lexer rejected.
   */
  tokenName: string;
  /** `NO_KEYWORD`, `UNRESERVED_KEYWORD`, `COL_NAME_KEYWORD`, `TYPE_FUNC_NAME_KEYWORD` or `RESERVED_KEYWORD`. */
  keywordName: string;
}

export interface TokenizedSql {
  tokens: SqlToken[];
  /** The tail the lexer could not read, from its first character to the last non-blank one. */
  unlexable?: { start: number; end: number };
}

export const INVALID_TOKEN = 'INVALID';

export function tokenizeSql(text: string): TokenizedSql {
  const tokens: SqlToken[] = [];
  let from = 0;
  for (;;) {
    const rest = text.slice(from);
    const scanned = scanSql(rest);
    if (scanned) {
      appendSqlTokens(tokens, rest, scanned, from);
      return { tokens };
    }
    const failure = locateLexicalFailure(rest);
    const lexable = failure && scanSql(rest.slice(0, failure.index));
    if (!failure || !lexable) return { tokens, unlexable: unlexableTail(text, from) };
    appendSqlTokens(tokens, rest, lexable, from);
    if (failure.invalidTokenLength === undefined) {
      return { tokens, unlexable: unlexableTail(text, from + failure.index) };
    }
    const start = from + failure.index;
    const end = start + failure.invalidTokenLength;
    tokens.push({ start, end, text: text.slice(start, end), tokenName: INVALID_TOKEN, keywordName: 'NO_KEYWORD' });
    from = end;
  }
}

export function isComment(token: SqlToken): boolean {
  return token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT';
}

export function isKeyword(token: SqlToken, keyword: string): boolean {
  return token.keywordName !== 'NO_KEYWORD' && token.text.toLowerCase() === keyword;
}

interface LexicalFailure {
  /** UTF-16 index, in the text given to `locateLexicalFailure`, where lexing cannot go on. */
  index: number;
  /** Set when the failure is one bad token after which lexing can resume. */
  invalidTokenLength?: number;
}

function locateLexicalFailure(text: string): LexicalFailure | undefined {
  const outcome = parseSql(text);
  if (outcome.ok) return undefined;
  const { index } = outcome;
  // PostgreSQL's scanner ends its messages with `at or near "<text of the offending token>"`;
  // for an unterminated literal that text runs to the end of the input.
  const match = /^(.*) at or near "(.*)"$/s.exec(outcome.message);
  if (!match || match[1] === 'syntax error' || match[1].startsWith('unterminated')) return { index };
  const badToken = match[2];
  if (badToken.length === 0 || !text.startsWith(badToken, index)) return { index };
  return { index, invalidTokenLength: badToken.length };
}

/** Appends one by one: spreading a 65k-value IN list into push() would overflow the call stack. */
function appendSqlTokens(tokens: SqlToken[], text: string, scanned: ScanToken[], offset: number): void {
  const offsets = new Utf8IndexMap(text);
  for (const token of scanned) {
    const start = offsets.indexAtByte(token.start);
    const end = offsets.indexAtByte(token.end);
    tokens.push({
      start: offset + start,
      end: offset + end,
      text: text.slice(start, end),
      tokenName: token.tokenName,
      keywordName: token.keywordName,
    });
  }
}

function unlexableTail(text: string, from: number): TokenizedSql['unlexable'] {
  const end = text.trimEnd().length;
  let start = from;
  while (start < end && /\s/.test(text[start])) start++;
  return start < end ? { start, end } : undefined;
}
