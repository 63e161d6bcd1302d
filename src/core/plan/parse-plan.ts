import { citusSubplans, citusTasks, planResults } from './citus';
import type { RawExplainResult, RawPlanNode } from './explain-json';
import { escapeControlCharactersInStrings, stripTerminalDecoration, unquoteCsv } from './plan-lines';
import { parseTextPlan, TextPlanError } from './parse-text-plan';

/** The input is not a readable plan; the message says what is wrong and where. */
export class PlanParseError extends Error {
  /** 1-based line of the problem in the text given to parseExplainJson. */
  readonly line?: number;
  /** 1-based column of a JSON syntax error. */
  readonly column?: number;
  /** A text plan damaged after its start: what could be read before the damage. */
  readonly partial?: RawExplainResult;

  constructor(message: string, location?: { line: number; column?: number }, partial?: RawExplainResult) {
    super(message);
    this.name = 'PlanParseError';
    if (location) {
      this.line = location.line;
      this.column = location.column;
    }
    if (partial) this.partial = partial;
  }
}

const HINT = 'paste the output of EXPLAIN (FORMAT JSON)';
const NO_PLAN =
  'no plan found: expected EXPLAIN output (a line such as "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)" or JSON with a "Plan" key)';

/**
 * Reads EXPLAIN output from what users paste, save or log:
 * - the JSON array PostgreSQL returns (`[{"Plan": ...}]`), a bare `{"Plan": ...}` object, or a bare plan node;
 * - an already parsed value of those shapes, or a result-set export such as `[{"QUERY PLAN": [...]}]`;
 * - the text format (see parseTextPlan), PostgreSQL 9.0 to 18;
 * - either inside psql's frames (aligned, unaligned, border 0-2, ASCII or unicode), quoted by pgAdmin
 *   or a CSV export, or in an auto_explain log entry (`LOG:  duration: 1.2 ms  plan: ...`), the first
 *   of several (findPlans finds each of them and reads it here).
 *
 * Returns the top-level object (for JSON, the input's own objects, not a copy). Throws PlanParseError otherwise.
 */
export function parseExplainJson(input: unknown): RawExplainResult {
  if (typeof input === 'string') return parseText(input, true);
  return fromValue(input, true);
}

function parseText(input: string, allowNestedString: boolean): RawExplainResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new PlanParseError('empty input: paste the output of EXPLAIN, as text or JSON');

  let firstError: unknown;
  try {
    return fromValue(JSON.parse(text), allowNestedString);
  } catch (error) {
    if (error instanceof PlanParseError) throw error;
    firstError = error;
  }

  // Text without a brace or bracket holds no JSON: read it as a text plan without preparing for JSON.
  if (
    text.trimStart()[0] !== '"' &&
    !text.includes('{') &&
    !text.includes('[') &&
    !text.includes('<explain') &&
    !/^\s*-\s+Plan:/m.test(text)
  ) {
    try {
      return parseTextPlan(text);
    } catch (error) {
      if (!(error instanceof TextPlanError)) throw error;
      if (error.partial || looksLikeTextPlan(text)) throw new PlanParseError(error.message, { line: error.line }, error.partial);
      throw new PlanParseError(NO_PLAN, { line: 1 });
    }
  }

  const unquoted = unquoteCsv(text);
  if (unquoted !== undefined && unquoted !== text) return parseText(unquoted, allowNestedString);

  // Line-for-line cleanup keeps line and column numbers valid for error messages.
  const cleaned = stripTerminalDecoration(text).join('\n');
  const isText = looksLikeTextPlan(cleaned);
  const jsonStart = findJsonStart(cleaned);
  if (jsonStart >= 0 && !(isText && startsBeforeJson(cleaned, jsonStart))) {
    const jsonEnd = findBalancedEnd(cleaned, jsonStart);
    const candidate = cleaned.slice(jsonStart, jsonEnd < 0 ? cleaned.length : jsonEnd);
    let value: unknown;
    let syntaxError: unknown;
    try {
      value = JSON.parse(escapeControlCharactersInStrings(candidate));
    } catch (error) {
      syntaxError = error;
    }
    if (syntaxError === undefined) return fromValue(value, allowNestedString);
    if (!isText) throw notJson(syntaxError, candidate, cleaned, jsonStart);
  }

  if (/<explain\s+xmlns=/.test(cleaned)) {
    throw new PlanParseError(
      'this is an XML-format plan, which Plan Lens does not read: run EXPLAIN (FORMAT JSON) or plain EXPLAIN instead',
    );
  }
  if (/^\s*-\s+Plan:\s*$/m.test(cleaned)) {
    throw new PlanParseError(
      'this is a YAML-format plan, which Plan Lens does not read: run EXPLAIN (FORMAT JSON) or plain EXPLAIN instead',
    );
  }
  if (isText || jsonStart < 0) {
    try {
      return parseTextPlan(text);
    } catch (error) {
      if (!(error instanceof TextPlanError)) throw error;
      if (isText || error.partial) throw new PlanParseError(error.message, { line: error.line }, error.partial);
    }
    throw new PlanParseError(NO_PLAN, { line: 1 });
  }
  throw notJson(firstError, text, text, 0);
}

/** Whether a text plan's first node line comes before `jsonStart` (a Filter can hold a JSON literal). */
function startsBeforeJson(text: string, jsonStart: number): boolean {
  const node = /\(cost=\d|\(actual (?:time|rows)=/.exec(text);
  return node !== null && node.index < jsonStart;
}

/** Where a JSON object (`{"...`) or array of objects (`[{`) first starts, or -1. */
function findJsonStart(text: string): number {
  const match = /\{\s*"|\[\s*\{/.exec(text);
  return match ? match.index : -1;
}

/** Index just past the bracket closing the one at `start`, or -1 if the text ends first. Linear; skips strings. */
export function findBalancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function looksLikeTextPlan(text: string): boolean {
  if (text.includes('"Node Type"')) return false;
  return (
    /\(cost=\d+(?:\.\d+)?\.\.\d+(?:\.\d+)? rows=\d+ width=\d+\)/.test(text) ||
    /\(actual (?:time=[\d.]+\.\.[\d.]+ )?rows=[\d.]+ loops=\d+\)/.test(text) ||
    /^\s*->\s+[A-Z][A-Za-z ]+/m.test(text)
  );
}

/** A PlanParseError for a JSON syntax error in `candidate`, which starts at `offset` in `whole`. */
function notJson(error: unknown, candidate: string, whole: string, offset: number): PlanParseError {
  const message = error instanceof Error ? error.message : String(error);
  // V8 gives a position for most errors, but only a snippet for an unexpected token.
  const reported = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  let reason: string;
  let position: number;
  if (reported) {
    reason = reported[1];
    position = Number(reported[2]);
  } else {
    position = jsonErrorOffset(candidate);
    reason = position >= candidate.length ? 'Unexpected end of JSON input' : `Unexpected token ${showCharacter(candidate[position])}`;
  }
  const location = lineAndColumn(whole, Math.min(offset + position, whole.length));
  return new PlanParseError(`not JSON: ${reason} at line ${location.line}, column ${location.column}`, location);
}

function showCharacter(character: string): string {
  return character >= ' ' ? `'${character}'` : JSON.stringify(character);
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

const enum Expect {
  Value,
  ValueOrArrayEnd,
  Key,
  KeyOrObjectEnd,
  Colon,
  AfterValue,
}

/**
 * Offset of the first character that makes `text` invalid JSON (text.length when it ends too early).
 * Only called after JSON.parse failed, when V8's message gives no position.
 */
function jsonErrorOffset(text: string): number {
  const n = text.length;
  const stack: boolean[] = []; // true: inside an object
  let expect = Expect.Value;
  let i = 0;
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) return n;
    const c = text[i];
    switch (expect) {
      case Expect.ValueOrArrayEnd:
      case Expect.Value:
        if (c === ']' && expect === Expect.ValueOrArrayEnd) {
          stack.pop();
          i++;
          expect = Expect.AfterValue;
        } else if (c === '{') {
          stack.push(true);
          i++;
          expect = Expect.KeyOrObjectEnd;
        } else if (c === '[') {
          stack.push(false);
          i++;
          expect = Expect.ValueOrArrayEnd;
        } else {
          const end = c === '"' ? scanString(text, i) : scanScalar(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = Expect.AfterValue;
        }
        break;
      case Expect.KeyOrObjectEnd:
      case Expect.Key:
        if (c === '}' && expect === Expect.KeyOrObjectEnd) {
          stack.pop();
          i++;
          expect = Expect.AfterValue;
        } else if (c === '"') {
          const end = scanString(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = Expect.Colon;
        } else {
          return i;
        }
        break;
      case Expect.Colon:
        if (c !== ':') return i;
        i++;
        expect = Expect.Value;
        break;
      case Expect.AfterValue: {
        if (stack.length === 0) return i;
        const inObject = stack[stack.length - 1];
        if (c === ',') {
          i++;
          expect = inObject ? Expect.Key : Expect.Value;
        } else if (c === (inObject ? '}' : ']')) {
          stack.pop();
          i++;
        } else {
          return i;
        }
        break;
      }
    }
  }
}

/** Index past the string starting at `start`, or -(errorOffset + 1). */
function scanString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -(i + 1);
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -(i + 1);
        i += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        i++;
      } else {
        return -(i + 2);
      }
    }
  }
  return -(text.length + 1);
}

/** Index past the number or literal starting at `start`, or -(errorOffset + 1). */
function scanScalar(text: string, start: number): number {
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  match.lastIndex = start;
  const found = match.exec(text);
  return found && found[0] !== '-' && found[0].length > 0 ? start + found[0].length : -(start + 1);
}

function fromValue(input: unknown, allowNestedString: boolean): RawExplainResult {
  let value = input;
  // Unwrapped in a loop rather than by recursion: the input may nest arrays arbitrarily deep.
  for (;;) {
    // JSON that held the plan as a string, as some log and export formats do.
    if (typeof value === 'string' && allowNestedString) return parseText(value, false);
    if (Array.isArray(value)) {
      if (value.length === 0)
        throw new PlanParseError(`the JSON array is empty: ${HINT}, which is an array holding one {"Plan": ...} object`);
      value = value[0];
      continue;
    }
    // A result set exported by a SQL client: [{"QUERY PLAN": [{"Plan": ...}]}].
    if (isObject(value) && !('Plan' in value) && 'QUERY PLAN' in value) {
      value = value['QUERY PLAN'];
      continue;
    }
    // Plan Lens's own report (`plan-lens analyze --json`): the plan it read is under "plan".
    if (isObject(value) && !('Plan' in value) && typeof value.version === 'number' && isObject(value.plan) && 'Plan' in value.plan) {
      value = value.plan;
      continue;
    }
    break;
  }
  if (!isObject(value)) {
    throw new PlanParseError(`expected a JSON object or array, got ${value === null ? 'null' : typeof value}: ${HINT}`);
  }
  // Only the plan tree was copied.
  if (!('Plan' in value) && typeof value['Node Type'] === 'string') {
    validateTree(value as RawPlanNode);
    return { Plan: value as RawPlanNode };
  }
  if (!('Plan' in value)) throw new PlanParseError('JSON has no "Plan" key: is this EXPLAIN (FORMAT JSON) output?');
  if (!isObject(value.Plan)) throw new PlanParseError('"Plan" is not an object: is this EXPLAIN (FORMAT JSON) output?');
  validateTree(value.Plan as RawPlanNode);
  return value as RawExplainResult;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface PathStep {
  node: unknown;
  parent: PathStep | null;
  index: number;
  /** A Citus remote plan's root: the path from its scan. */
  step?: string;
}

/**
 * Checks every node has a "Node Type" and that "Plans" holds nodes, Citus's remote plans included;
 * iterative, as plans can be deeper than the call stack.
 */
function validateTree(root: RawPlanNode): void {
  const stack: PathStep[] = [{ node: root, parent: null, index: -1 }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const record = step.node;
    if (!isObject(record)) {
      throw new PlanParseError(`${pathOf(step)} is not a plan node object: is this EXPLAIN (FORMAT JSON) output?`);
    }
    if (typeof record['Node Type'] !== 'string') {
      throw new PlanParseError(`${pathOf(step)} has no "Node Type": is this EXPLAIN (FORMAT JSON) output?`);
    }
    citusSubplans(record as RawPlanNode).forEach((subplan, i) =>
      planResults(subplan, 'subplan').forEach((result, r) =>
        stack.push({
          node: result.Plan,
          parent: step,
          index: r,
          step: `["Distributed Query"].Subplans[${i}].PlannedStmt (plan ${r + 1}).Plan`,
        }),
      ),
    );
    citusTasks(record as RawPlanNode).forEach((task, t) =>
      planResults(task, 'task').forEach((result, r) =>
        stack.push({
          node: result.Plan,
          parent: step,
          index: r,
          step: `["Distributed Query"].Job.Tasks[${t}]["Remote Plan"] (plan ${r + 1}).Plan`,
        }),
      ),
    );
    const children = record.Plans;
    if (children === undefined) continue;
    if (!Array.isArray(children)) throw new PlanParseError(`"Plans" of ${pathOf(step)} is not an array`);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], parent: step, index: i });
  }
}

/** "Plan.Plans[0].Plans[2]": where the node sits in the JSON. */
function pathOf(step: PathStep): string {
  const parts: string[] = [];
  for (let s: PathStep | null = step; s && s.parent; s = s.parent) parts.push(s.step ?? `.Plans[${s.index}]`);
  return `Plan${parts.reverse().join('')}`;
}
