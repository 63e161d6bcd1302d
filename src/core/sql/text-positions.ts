/**
 * Line/column arithmetic over SQL text. Indices are UTF-16 code units, the unit of JavaScript
 * strings and of VS Code positions. Line breaks are `\n`, `\r\n` and a lone `\r`, as in VS Code.
 */

/** 0-based line and column. */
export interface LineColumn {
  line: number;
  column: number;
}

/** A position reported to people: 1-based line and column, plus the 0-based UTF-16 `offset` an editor underlines. */
export interface SqlTextPosition {
  line: number;
  column: number;
  offset: number;
}

/** Precomputed line starts, for answering many position queries on the same text. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let index = 0; index < text.length; index++) {
      const char = text.charCodeAt(index);
      if (char === 0x0a) {
        this.lineStarts.push(index + 1);
      } else if (char === 0x0d && text.charCodeAt(index + 1) !== 0x0a) {
        this.lineStarts.push(index + 1);
      }
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 0-based line and column of a UTF-16 index (clamped to the text). */
  lineColumnAt(index: number): LineColumn {
    const clamped = Math.min(Math.max(index, 0), this.text.length);
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, column: clamped - this.lineStarts[low] };
  }

  /** UTF-16 index of a 0-based line and column; both are clamped to the text and to the line's content. */
  indexAt(line: number, column: number): number {
    const clampedLine = Math.min(Math.max(line, 0), this.lineStarts.length - 1);
    const start = this.lineStarts[clampedLine];
    return start + Math.min(Math.max(column, 0), this.lineContentEnd(clampedLine) - start);
  }

  private lineContentEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    const nextStart = this.lineStarts[line + 1];
    const breakLength = this.text.charCodeAt(nextStart - 1) === 0x0a && this.text.charCodeAt(nextStart - 2) === 0x0d ? 2 : 1;
    return nextStart - breakLength;
  }
}

export function lineColumnAt(text: string, index: number): LineColumn {
  return new LineIndex(text).lineColumnAt(index);
}

export function indexAtLineColumn(text: string, line: number, column: number): number {
  return new LineIndex(text).indexAt(line, column);
}

export function containsLineBreak(text: string): boolean {
  return text.includes('\n') || text.includes('\r');
}

/**
 * Maps the `position` of a PostgreSQL server error back into the statement the user wrote.
 *
 * The server reports a 1-based index counted in characters (code points) of the whole text it
 * received; Plan Lens sends `EXPLAIN (...) ` followed by the statement, so `prefixLength` is the
 * number of characters sent before the statement (for an ASCII prefix, its `.length`).
 * `position` may be given as the string that node-postgres and PGlite put on their errors.
 * Returns undefined when the position lies in the prefix or past the end of the statement.
 */
export function mapServerErrorPosition(statementText: string, position: number | string, prefixLength = 0): SqlTextPosition | undefined {
  const offset = indexAfterCodePoints(statementText, Number(position) - 1 - prefixLength);
  if (offset === undefined) return undefined;
  const { line, column } = lineColumnAt(statementText, offset);
  return { line: line + 1, column: column + 1, offset };
}

/**
 * UTF-16 index reached after `count` characters (code points), the unit PostgreSQL uses for error
 * positions; undefined when the text is shorter or `count` is not a natural number.
 */
export function indexAfterCodePoints(text: string, count: number): number | undefined {
  if (!Number.isInteger(count) || count < 0) return undefined;
  let index = 0;
  for (let counted = 0; counted < count; counted++) {
    if (index >= text.length) return undefined;
    index += text.codePointAt(index)! > 0xffff ? 2 : 1;
  }
  return index;
}
