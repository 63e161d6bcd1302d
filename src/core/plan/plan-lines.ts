/**
 * Undoes what terminals, SQL clients and log collectors do to EXPLAIN output before a user copies it:
 * psql's frames (aligned, unaligned, border 0-2, ASCII, old-ascii and unicode line styles, `+` / `↵`
 * continuation marks, header and footer), lines quoted by pgAdmin or a CSV export, and auto_explain's
 * log prefixes. Every function keeps one output line per input line, so line numbers in messages stay
 * those of the user's text. All of it is linear: regular expressions here never backtrack over a line.
 */

/** Characters psql draws frames with, in every line style. */
const FRAME_CHARS = '-+|=─━│┃┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬╟╢╞╡╪╫╤╧';
const FRAME_ONLY = new RegExp(`^[\\s${escapeClass(FRAME_CHARS)}]*$`);
const RULE_CHARS = /[-─═━]{3,}/;
const SIDE = new Set(['|', '│', '║', '┃']);
const CONTINUATION = new Set(['+', '↵']);

function escapeClass(chars: string): string {
  return chars.replace(/[-\]\\^]/g, '\\$&');
}

/** `line` without trailing blanks; linear, unlike `/\s+$/` on a long run of blanks that does not end the line. */
function trimEnd(line: string): string {
  let end = line.length;
  while (end > 0 && isBlank(line.charCodeAt(end - 1))) end--;
  return end === line.length ? line : line.slice(0, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0xa0;
}

/** A line that is only psql decoration: a rule of dashes, the QUERY PLAN header, the row-count footer, \timing output. */
export function isDecorationLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '') return false;
  // Most lines are plan lines: settle them by their first character.
  const first = trimmed.charCodeAt(0);
  if (((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a)) && first !== 0x51 /* Q */ && first !== 0x54 /* T */)
    return false;
  if (trimmed.startsWith('->')) return false;
  if (FRAME_ONLY.test(trimmed) && RULE_CHARS.test(trimmed)) return true;
  const inner = stripSides(trimmed).trim();
  if (inner === 'QUERY PLAN') return true;
  if (/^\(\d+ rows?\)$/.test(inner)) return true;
  if (/^Time: \d/.test(inner)) return true;
  if (/^-\[ RECORD \d+ \]/.test(inner)) return true;
  return false;
}

/** Removes a border-2 frame's left and right sides (`│ ... │`, `| ... |`) and a border-1 right edge as DBeaver adds it. */
function stripSides(line: string): string {
  let start = 0;
  let end = line.length;
  if (end > 0 && SIDE.has(line[0])) start = 1;
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
  if (end > start && SIDE.has(line[end - 1])) end--;
  return line.slice(start, end);
}

/**
 * The lines of `text` with psql decoration blanked and frame sides and continuation marks removed.
 * Indentation inside the frame is kept (a border-2 frame's one padding space is removed with the side).
 */
export function stripTerminalDecoration(text: string): string[] {
  const lines = text.split('\n');
  const framed = lines.some((line) => /^\s*[│║|┃] /.test(line) && /[│║|┃]\s*$/.test(line));
  return lines.map((raw) => {
    if (isDecorationLine(raw)) return '';
    let line = trimEnd(raw);
    if (framed) {
      const withoutSides = stripSides(line.trimStart());
      if (withoutSides.length !== line.trimStart().length) line = withoutSides.startsWith(' ') ? withoutSides.slice(1) : withoutSides;
    } else if (line.length > 0 && SIDE.has(line[line.length - 1]) && !SIDE.has(line[line.length - 2] ?? '')) {
      // DBeaver and psql's border 1 close each row with one "|"; "||" is an operator.
      line = line.slice(0, -1);
    }
    line = trimEnd(line);
    if (line.length > 0 && CONTINUATION.has(line[line.length - 1])) line = trimEnd(line.slice(0, -1));
    return line;
  });
}

/**
 * Text wrapped in double quotes as a whole or line by line (pgAdmin's copy, a CSV cell), with doubled
 * quotes inside; undefined when the text is not quoted that way.
 */
export function unquoteCsv(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && trimmed[0] === '"' && trimmed[trimmed.length - 1] === '"' && trimmed.includes('""')) {
    const inner = trimmed.slice(1, -1);
    // A whole CSV cell: every quote inside is doubled.
    if (!/(^|[^"])"([^"]|$)/.test(inner.replace(/""/g, ''))) return inner.replace(/""/g, '"');
  }
  const lines = text.split('\n');
  const nonBlank = lines.filter((line) => line.trim() !== '');
  if (nonBlank.length === 0 || !nonBlank.every((line) => /^\s*".*"\s*,?\s*$/.test(trimEnd(line)))) return undefined;
  return lines
    .map((line) => {
      const match = /^(\s*)"(.*)"\s*,?\s*$/.exec(trimEnd(line));
      return match ? match[1] + match[2].replace(/""/g, '"') : line;
    })
    .join('\n');
}

/**
 * JSON text with raw control characters inside strings escaped, as auto_explain writes a "Query Text"
 * that spans lines. Linear; leaves everything outside strings alone.
 */
export function escapeControlCharactersInStrings(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      else if (c < 0x20) {
        out +=
          text.slice(from, i) + (c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : `\\u${c.toString(16).padStart(4, '0')}`);
        from = i + 1;
      }
    } else if (c === 0x22) {
      inString = true;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
