/**
 * JSON text of values too deep or too large for JSON.stringify: a plan nested 100 000 levels
 * deep overflows its recursion, and a report of a 200 MB plan exceeds the longest string V8 can
 * build. This writer keeps its own stack and hands out the text in pieces of about 64 kB.
 *
 * The text is JSON.stringify(value, null, 2)'s, character for character, down to a nesting of
 * INDENTED_DEPTH; deeper values are written without line breaks, since indenting each of 100 000
 * levels would take 5 GB of spaces. Wherever a value is small and shallow enough, JSON.stringify
 * itself writes it, many times faster than a loop in JavaScript.
 */

export const INDENTED_DEPTH = 64;
const PIECE_LENGTH = 65_536;

type Frame =
  | { kind: 'array'; items: readonly unknown[]; next: number; depth: number }
  | { kind: 'object'; entries: Array<[string, unknown]>; next: number; depth: number };

/** The JSON text of `value` in pieces; undefined and functions are left out as JSON.stringify leaves them. */
export function* jsonTextPieces(value: unknown): Generator<string> {
  let piece = '';
  const stack: Frame[] = [];
  const newline = (depth: number) => (depth <= INDENTED_DEPTH ? `\n${'  '.repeat(depth)}` : '');
  const separator = (depth: number) => (depth <= INDENTED_DEPTH ? ': ' : ':');

  /** Writes a scalar or a container JSON.stringify can manage, or opens the container and pushes it. */
  const open = (item: unknown, depth: number): void => {
    const json = toJsonValue(item);
    if (json === null || typeof json !== 'object') {
      piece += json === undefined ? 'null' : JSON.stringify(json);
      return;
    }
    if (depth < INDENTED_DEPTH) {
      const whole = nativeText(json);
      if (whole !== undefined) {
        // JSON text holds no raw line breaks but its own, so this indents it without touching strings.
        piece += depth === 0 ? whole : whole.replace(/\n/g, `\n${'  '.repeat(depth)}`);
        return;
      }
    }
    if (Array.isArray(json)) {
      if (json.length === 0) piece += '[]';
      else {
        piece += '[';
        stack.push({ kind: 'array', items: json, next: 0, depth: depth + 1 });
      }
      return;
    }
    const entries = Object.entries(json).filter(([, v]) => toJsonValue(v) !== undefined);
    if (entries.length === 0) piece += '{}';
    else {
      piece += '{';
      stack.push({ kind: 'object', entries, next: 0, depth: depth + 1 });
    }
  };

  open(value, 0);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.kind === 'array' ? frame.items.length : frame.entries.length;
    if (frame.next === length) {
      stack.pop();
      piece += (frame.depth <= INDENTED_DEPTH ? newline(frame.depth - 1) : '') + (frame.kind === 'array' ? ']' : '}');
    } else {
      if (frame.next > 0) piece += ',';
      piece += newline(frame.depth);
      if (frame.kind === 'array') open(frame.items[frame.next], frame.depth);
      else {
        const [key, item] = frame.entries[frame.next]!;
        piece += JSON.stringify(key) + separator(frame.depth);
        open(item, frame.depth);
      }
      frame.next++;
    }
    if (piece.length >= PIECE_LENGTH) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

/** JSON.stringify's text, or undefined when the value is too deep for its recursion or too long for a string. */
function nativeText(value: object): string | undefined {
  try {
    // The compact form fails on a deep value in a fraction of the time the indented one takes to fail.
    JSON.stringify(value);
    return JSON.stringify(value, null, 2);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** What JSON.stringify would write for the value, before recursion: toJSON applied, undefined for what it leaves out. */
function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(): unknown }).toJSON();
  }
  if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return undefined;
  if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  return value;
}
