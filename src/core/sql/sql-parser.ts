/**
 * Access to PostgreSQL's own parser and lexer (libpg-query, compiled to WASM).
 *
 * The WASM module must be instantiated before any synchronous call; `ensureSqlParser()` does that
 * once per process. Everything else in `src/core/sql/` is synchronous so that editor features
 * (statement under the cursor, placeholders) can run on every keystroke without awaiting.
 *
 * libpg-query places statements and tokens by UTF-8 byte offsets, while JavaScript strings (and
 * VS Code positions) are indexed in UTF-16 code units; `Utf8IndexMap` converts between the two.
 * Syntax error positions are different again: PostgreSQL counts them in characters.
 */
import type * as LibPgQuery from 'libpg-query';
import type { RawStmt } from 'libpg-query';
import { indexAfterCodePoints } from './text-positions';

let loadedParser: typeof LibPgQuery | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the PostgreSQL parser (WASM) once. Concurrent and repeated calls share the same promise;
 * after a failed load the next call tries again.
 */
export function ensureSqlParser(): Promise<void> {
  loading ??= loadParser().catch((error: unknown) => {
    loading = undefined;
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not load the PostgreSQL parser (libpg-query WASM): ${cause}. ` +
        'Check that the libpg-query package and its libpg-query.wasm file are installed next to the extension.',
    );
  });
  return loading;
}

async function loadParser(): Promise<void> {
  // Imported lazily so that compiling the WASM module costs nothing until SQL is first inspected.
  const parser = await import('libpg-query');
  await parser.loadModule();
  loadedParser = parser;
}

export function isSqlParserLoaded(): boolean {
  return loadedParser !== undefined;
}

function requireParser(operation: string): typeof LibPgQuery {
  if (!loadedParser) {
    throw new Error(`${operation} needs the PostgreSQL parser, which is not loaded yet: await ensureSqlParser() once before calling it.`);
  }
  return loadedParser;
}

export type SqlParseOutcome =
  | { ok: true; statements: RawStmt[] }
  /** `index`: UTF-16 index of the token PostgreSQL complained about. */
  | { ok: false; message: string; index: number };

/** Parses SQL with PostgreSQL's grammar; a syntax error is returned, not thrown. */
export function parseSql(text: string): SqlParseOutcome {
  const parser = requireParser('Parsing SQL');
  // libpg-query rejects the empty string outright, where PostgreSQL sees zero statements.
  if (text === '') return { ok: true, statements: [] };
  try {
    return { ok: true, statements: parser.parseSync(text).stmts ?? [] };
  } catch (error) {
    if (parser.hasSqlDetails(error) && error.sqlDetails) {
      // cursorPosition counts characters (PostgreSQL's errposition), not bytes.
      const index = indexAfterCodePoints(text, error.sqlDetails.cursorPosition) ?? text.length;
      return { ok: false, message: error.message, index };
    }
    throw error;
  }
}

/**
 * Runs PostgreSQL's lexer. Returns undefined when the lexer rejects the text (an unterminated
 * string, comment or quoted identifier, `""`, `1abc`): libpg-query reports such failures without
 * a position, so callers locate them with `parseSql`, which does carry one.
 */
export function scanSql(text: string): LibPgQuery.ScanToken[] | undefined {
  const parser = requireParser('Scanning SQL');
  if (text === '') return [];
  try {
    return parser.scanSync(text).tokens ?? [];
  } catch {
    return undefined;
  }
}

/** Converts between UTF-8 byte offsets (libpg-query) and UTF-16 indices (JavaScript, editors). */
export class Utf8IndexMap {
  /** Undefined when the text is pure ASCII, where both offsets coincide. */
  private readonly indexAtByteTable: Uint32Array | undefined;
  private readonly byteAtIndexTable: Uint32Array | undefined;

  constructor(private readonly text: string) {
    // Pure ASCII: byte offsets and string indexes coincide.
    if (!/[^\x00-\x7f]/.test(text)) return;
    const byteAtIndex = new Uint32Array(text.length + 1);
    const indexAtByte: number[] = [];
    for (let index = 0; index < text.length;) {
      const codePoint = text.codePointAt(index)!;
      const units = codePoint > 0xffff ? 2 : 1;
      const bytes = indexAtByte.length;
      for (let unit = 0; unit < units; unit++) byteAtIndex[index + unit] = bytes;
      for (let byte = 0; byte < utf8Length(codePoint); byte++) indexAtByte.push(index);
      index += units;
    }
    byteAtIndex[text.length] = indexAtByte.length;
    indexAtByte.push(text.length);
    this.byteAtIndexTable = byteAtIndex;
    this.indexAtByteTable = Uint32Array.from(indexAtByte);
  }

  /** UTF-16 index of the character that contains `byteOffset` (clamped to the text). */
  indexAtByte(byteOffset: number): number {
    if (!this.indexAtByteTable) return clamp(byteOffset, 0, this.text.length);
    return this.indexAtByteTable[clamp(byteOffset, 0, this.indexAtByteTable.length - 1)];
  }

  /** UTF-8 byte offset of the character at UTF-16 `index` (clamped to the text). */
  byteAtIndex(index: number): number {
    if (!this.byteAtIndexTable) return clamp(index, 0, this.text.length);
    return this.byteAtIndexTable[clamp(index, 0, this.text.length)];
  }
}

export function byteOffsetToIndex(text: string, byteOffset: number): number {
  return new Utf8IndexMap(text).indexAtByte(byteOffset);
}

export function indexToByteOffset(text: string, index: number): number {
  return new Utf8IndexMap(text).byteAtIndex(index);
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * PostgreSQL's query fingerprint (pg_query's, as pganalyze uses it) and the statement with its
 * constants replaced by $n; undefined when PostgreSQL cannot parse the text.
 */
export function fingerprintSql(text: string): { fingerprint: string; normalized: string } | undefined {
  const parser = requireParser('Fingerprinting SQL');
  try {
    return { fingerprint: parser.fingerprintSync(text), normalized: parser.normalizeSync(text) };
  } catch {
    return undefined;
  }
}
